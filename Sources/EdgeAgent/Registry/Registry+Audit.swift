import Foundation
import GRDB

extension Registry {
    /// The newest `limit` audit entries, newest first; with `home`, only
    /// those about that home, done by it, or done for it (a domain the
    /// operator claimed for it), also after it was deleted: the log outlives
    /// what it describes.
    func auditLog(limit: Int = 100, home: String? = nil) async throws(RegistryError) -> [AuditEntry] {
        let limit = max(0, limit)
        guard let home else {
            return try await read { db in
                try AuditEntry.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [limit])
            }
        }
        let name = try Self.existingName(home)
        return try await read { db in
            try AuditEntry.fetchAll(
                db,
                sql: """
                    SELECT * FROM audit_log
                    WHERE subject = ? OR actor = ? OR json_extract(detail, '$.home') = ?
                    ORDER BY id DESC LIMIT ?
                    """,
                arguments: [name, AuditActor.home(name).description, name, limit])
        }
    }

    /// Appends an audit row inside the caller's transaction, so the entry
    /// commits or rolls back together with the change it describes.
    static func audit(
        _ db: Database, time: Date, actor: AuditActor, action: String, subject: String,
        detail: [String: String] = [:]
    ) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(detail.mapValues(Self.bounded)), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO audit_log (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [time, actor.description, action, subject, json])
        // Homes write entries (every forward sync that changes something):
        // only the newest are kept, so no home can grow the file for ever.
        try db.execute(
            sql: "DELETE FROM audit_log WHERE id <= (SELECT MAX(id) FROM audit_log) - ?", arguments: [auditRetention])
    }

    /// How many entries the log keeps, newest first.
    static let auditRetention = 50_000

    /// A detail value of at most ``auditListLimit`` comma-separated names:
    /// a sync of a thousand forwards is recorded as its first names and a count.
    static func bounded(_ value: String) -> String {
        let names = value.split(separator: ",", omittingEmptySubsequences: false)
        guard names.count > auditListLimit else { return value }
        return names.prefix(auditListLimit).joined(separator: ",") + ",… (\(names.count - auditListLimit) more)"
    }

    static let auditListLimit = 20
}
