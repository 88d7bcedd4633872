import Foundation
import GRDB
import Testing
@testable import EdgeAgent

@Suite struct RegistrySchemaTests {
    @Test func migrationsCreateEveryTableOnAnEmptyFile() async throws {
        try await RegistryFixture.with { registry, _ in
            let tables = try await registry.pool.read { db in
                try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            }
            for table in ["audit_log", "domains", "forwards", "homes", "join_tokens", "grdb_migrations"] {
                #expect(tables.contains(table), "missing table \(table)")
            }
            let applied = try await registry.pool.read { db in try RegistrySchema.migrator.appliedMigrations(db) }
            #expect(applied == ["v1", "v2", "v3", "v4", "v5", "v6"])
        }
    }

    @Test func reopeningKeepsDataAndRunsNoMigrationTwice() async throws {
        try await RegistryFixture.with { registry, directory in
            _ = try await registry.createHome(name: "alpha", now: RegistryFixture.t0)
            try registry.close()
            for _ in 0..<2 {
                let reopened = try RegistryFixture.open(directory)
                #expect(try await reopened.homes().map(\.name) == ["alpha"])
                let count = try await reopened.pool.read { db in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM grdb_migrations")
                }
                #expect(count == RegistrySchema.migrator.migrations.count)
                try reopened.close()
            }
        }
    }

    @Test func walModeSynchronousFullAndForeignKeysAreSet() async throws {
        try await RegistryFixture.with { registry, _ in
            let (journal, synchronous, foreignKeys) = try await registry.pool.write { db in
                (
                    try String.fetchOne(db, sql: "PRAGMA journal_mode"),
                    try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                    try Int.fetchOne(db, sql: "PRAGMA foreign_keys")
                )
            }
            #expect(journal == "wal")
            #expect(synchronous == 2, "2 is FULL; GRDB's WAL default would be 1 (NORMAL)")
            #expect(foreignKeys == 1)
        }
    }

    @Test func auditLogRefusesUpdateAndDeleteEvenFromRawSQL() async throws {
        try await RegistryFixture.with { registry, directory in
            _ = try await registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let raw = try RegistryFixture.rawQueue(directory)
            #expect(throws: DatabaseError.self) {
                try raw.write { db in try db.execute(sql: "UPDATE audit_log SET actor = 'mallory'") }
            }
            #expect(throws: DatabaseError.self) {
                try raw.write { db in try db.execute(sql: "DELETE FROM audit_log") }
            }
            let entries = try await registry.auditLog()
            #expect(entries.count == 1)
            #expect(entries.first?.actor == "admin")
            try raw.close()
        }
    }

    @Test func auditDetailMustBeJSON() async throws {
        try await RegistryFixture.with { _, directory in
            let raw = try RegistryFixture.rawQueue(directory)
            #expect(throws: DatabaseError.self) {
                try raw.write { db in
                    try db.execute(sql: """
                        INSERT INTO audit_log (time, actor, action, subject, detail)
                        VALUES ('2027-01-01', 'admin', 'x', 'y', 'not json')
                        """)
                }
            }
            try raw.close()
        }
    }

    @Test func unwritableLocationIsAStorageError() {
        #expect {
            try Registry(path: "/nonexistent/portico/registry.sqlite", publicSuffixList: SharedSuffixList.list)
        } throws: { error in
            if case RegistryError.storage = error { true } else { false }
        }
    }
}
