import Foundation
import GRDB

/// One row of the append-only audit log: who changed what, when.
struct AuditEntry: Hashable, Sendable {
    var id: Int64
    var time: Date
    /// `admin`, `home:<name>` or `system`.
    var actor: String
    /// Dotted verb such as `home.create` or `forward.sync`.
    var action: String
    /// What was acted on, usually a home name or a domain.
    var subject: String
    /// A JSON object with the action's parameters (never secrets).
    var detail: String
}

extension AuditEntry: FetchableRecord {
    init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        time = try row.decode(forColumn: "time")
        actor = try row.decode(forColumn: "actor")
        action = try row.decode(forColumn: "action")
        subject = try row.decode(forColumn: "subject")
        detail = try row.decode(forColumn: "detail")
    }
}

/// Who asked for a change, for the audit log. The API and CLI act as `admin`;
/// a home acting over its tunnel (claiming a domain, syncing forwards) is
/// recorded under its own name.
enum AuditActor: Hashable, Sendable, CustomStringConvertible {
    case admin
    case home(String)
    case system

    var description: String {
        switch self {
        case .admin: "admin"
        case .home(let name): "home:\(name)"
        case .system: "system"
        }
    }
}
