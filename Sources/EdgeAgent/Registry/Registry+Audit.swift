import Foundation
import GRDB

extension Registry {
    /// The newest `limit` audit entries, newest first; with `home`, only
    /// those about that home or done by it (also after it was deleted: the
    /// log outlives what it describes).
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
                sql: "SELECT * FROM audit_log WHERE subject = ? OR actor = ? ORDER BY id DESC LIMIT ?",
                arguments: [name, AuditActor.home(name).description, limit])
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
        let json = String(decoding: try encoder.encode(detail), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO audit_log (time, actor, action, subject, detail) VALUES (?, ?, ?, ?, ?)",
            arguments: [time, actor.description, action, subject, json])
    }
}
