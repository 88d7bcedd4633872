import Foundation
import GRDB

/// The edge's memory: homes, join tokens, base domains, forwards and the
/// audit log, in one SQLite file (`registry.sqlite` in the data directory).
///
/// Every mutating method is exactly one write transaction that also appends
/// its audit row, so after a crash the file holds either the whole change and
/// its audit entry, or neither. Checks that depend on other rows (name taken,
/// domain overlap, free port) run inside that same transaction; GRDB's pool
/// has a single writer connection, so two concurrent callers are serialised
/// and cannot both pass a check that only one may pass.
///
/// Time is a parameter (`now`) rather than read from the clock, so tests and
/// replays are deterministic.
final class Registry: Sendable {
    /// The file name inside the edge's data directory.
    static let fileName = "registry.sqlite"

    let pool: DatabasePool
    let rules: DomainRules

    /// Opens (creating if needed) the registry at `path` and migrates it.
    init(path: String, publicSuffixList: PublicSuffixList) throws(RegistryError) {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        // Another process (a backup, an operator's sqlite3 shell) may hold a
        // lock briefly; wait for it instead of failing the operation.
        configuration.busyMode = .timeout(5)
        configuration.label = "portico.registry"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // Durability: in WAL mode with synchronous=NORMAL, SQLite fsyncs
            // the WAL only at checkpoints, so a power loss or kernel crash can
            // drop transactions that already reported success. The issue asks
            // that no committed change is ever lost, and registry writes are
            // rare (admin actions, syncs), so FULL — an fsync of the WAL on
            // every commit — costs nothing that matters. This must run after
            // the pool is open: DatabasePool sets NORMAL while enabling WAL,
            // after `prepareDatabase` hooks, and the setting is per connection
            // (the writer connection lives as long as the pool; readers never
            // commit, so their setting does not matter).
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            try RegistrySchema.migrator.migrate(pool)
        } catch {
            throw .storage(String(describing: error))
        }
        rules = DomainRules(publicSuffixList: publicSuffixList)
    }

    /// Opens `registry.sqlite` inside the edge's data directory.
    convenience init(dataDirectory: URL, publicSuffixList: PublicSuffixList) throws(RegistryError) {
        try self.init(
            path: dataDirectory.appendingPathComponent(Self.fileName).path,
            publicSuffixList: publicSuffixList)
    }

    /// Closes every connection; later calls fail with `.storage`.
    func close() throws(RegistryError) {
        do { try pool.close() } catch { throw .storage(String(describing: error)) }
    }

    /// Runs `body` as one write transaction, mapping storage failures to
    /// `.storage` and passing the registry's own refusals through.
    func write<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(RegistryError) -> T {
        do {
            return try await pool.write(body)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .storage(String(describing: error))
        }
    }

    /// Runs `body` on a read-only snapshot.
    func read<T: Sendable>(
        _ body: @escaping @Sendable (Database) throws -> T
    ) async throws(RegistryError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as RegistryError {
            throw error
        } catch {
            throw .storage(String(describing: error))
        }
    }
}
