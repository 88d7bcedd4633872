import Foundation
import GRDB

extension Registry {
    /// Disables a home: it keeps its data (limits, domains, forwards, ports),
    /// but its routes leave the route table and the tunnel refuses it until
    /// it is enabled again. The caller ends its live session. Disabling a
    /// disabled home changes nothing and writes no audit entry.
    func disableHome(named rawName: String, now: Date, actor: AuditActor = .admin) async throws(RegistryError) -> Home {
        try await setDisabled(rawName, true, now: now, actor: actor)
    }

    /// Enables a disabled home: `active` again if it holds a certificate,
    /// else `pending` (it was disabled before it joined).
    func enableHome(named rawName: String, now: Date, actor: AuditActor = .admin) async throws(RegistryError) -> Home {
        try await setDisabled(rawName, false, now: now, actor: actor)
    }

    private func setDisabled(_ rawName: String, _ disabled: Bool, now: Date, actor: AuditActor) async throws(RegistryError) -> Home {
        let name = try Self.existingName(rawName)
        return try await write { db in
            let home = try Self.requireHome(db, name)
            guard (home.state == .disabled) != disabled else { return home }
            let state: Home.State = disabled ? .disabled : (home.certificateSHA256 == nil ? .pending : .active)
            try db.execute(
                sql: "UPDATE homes SET state = ?, updated_at = ? WHERE id = ?",
                arguments: [state.rawValue, now, home.id])
            try Self.audit(db, time: now, actor: actor, action: disabled ? "home.disable" : "home.enable", subject: name)
            return try Self.requireHome(db, name)
        }
    }
}
