import Foundation
import GRDB

extension Registry {
    /// The shortest token id prefix `revokeJoinToken` accepts: enough that
    /// a typo does not revoke a neighbour (8 hex digits, 4 billion values).
    static let minimumTokenIDPrefix = 8

    /// Every join token issued for the home, newest first.
    func joinTokens(home rawName: String) async throws(RegistryError) -> [JoinTokenRecord] {
        let name = try Self.existingName(rawName)
        return try await read { db in
            let home = try Self.requireHome(db, name)
            return try Self.tokens(db, home: home, matching: nil)
        }
    }

    /// Revokes one of the home's tokens, named by its id or a unique prefix
    /// of at least ``minimumTokenIDPrefix`` hex digits, so it can no longer
    /// enroll anyone. A token already used cannot be revoked (the home's
    /// certificate is what to act on then: disable or delete the home);
    /// revoking a revoked token changes nothing.
    func revokeJoinToken(
        home rawName: String, id rawID: String, now: Date, actor: AuditActor = .admin
    ) async throws(RegistryError) -> JoinTokenRecord {
        let name = try Self.existingName(rawName)
        let prefix = rawID.lowercased()
        guard prefix.utf8.count >= Self.minimumTokenIDPrefix, prefix.utf8.count <= 32,
            prefix.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) })
        else { throw .tokenIDInvalid(String(rawID.prefix(40))) }
        return try await write { db in
            let home = try Self.requireHome(db, name)
            let matches = try Self.tokens(db, home: home, matching: prefix)
            guard let token = matches.first else { throw RegistryError.tokenNotFound(home: name, id: prefix) }
            guard matches.count == 1 else { throw RegistryError.tokenIDAmbiguous(prefix) }
            guard token.usedAt == nil else { throw RegistryError.tokenAlreadyUsed(home: name, id: token.id) }
            guard token.revokedAt == nil else { return token }
            try db.execute(sql: "UPDATE join_tokens SET revoked_at = ? WHERE id = ?", arguments: [now, token.id])
            try Self.audit(db, time: now, actor: actor, action: "token.revoke", subject: name, detail: ["token_id": token.id])
            return try Self.tokens(db, home: home, matching: token.id).first ?? token
        }
    }

    /// The home's tokens, newest first (rowid order is issue order), all of
    /// them or those whose id starts with `prefix` (lower-case hex only:
    /// no LIKE wildcard can get in).
    private static func tokens(_ db: Database, home: Home, matching prefix: String?) throws -> [JoinTokenRecord] {
        try JoinTokenRecord.fetchAll(
            db,
            sql: """
                SELECT join_tokens.*, homes.name AS home FROM join_tokens JOIN homes ON homes.id = join_tokens.home_id
                WHERE home_id = ? AND (? IS NULL OR substr(join_tokens.id, 1, length(?)) = ?)
                ORDER BY join_tokens.rowid DESC
                """,
            arguments: [home.id, prefix, prefix, prefix])
    }
}
