import Foundation
import GRDB
import Wire

extension Registry {
    /// The longest lifetime a join token may have.
    static let maximumTokenTTL: Duration = .seconds(365 * 24 * 3600)

    /// Issues a single-use join token for an existing home. Only the hash of
    /// the secret is stored, so a copy of the database cannot enroll anyone.
    /// In the same transaction the home's older unused tokens are superseded
    /// ([ENROLL-8]): a home has at most one token that can enroll it, the
    /// newest, so an older copy that leaked cannot re-enroll the home.
    func issueJoinToken(
        home rawName: String, ttl: Duration, now: Date, actor: AuditActor = .admin
    ) async throws(RegistryError) -> IssuedToken {
        let name = try Self.existingName(rawName)
        guard ttl >= .seconds(1), ttl <= Self.maximumTokenTTL else { throw .invalidTTL }
        var random = SystemRandomNumberGenerator()
        let idBytes = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let expiresAt = now.addingTimeInterval(Self.seconds(ttl))
        let token = IssuedToken(idBytes: idBytes, secret: secret, home: name, expiresAt: expiresAt)
        let id = token.id
        let hash = SHA256.hash(secret)
        try await write { db in
            let home = try Self.requireHome(db, name)
            let superseded = try Self.supersedeUnusedTokens(db, home: home.id, now: now)
            try db.execute(
                sql: """
                    INSERT INTO join_tokens (id, home_id, secret_sha256, expires_at, created_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [id, home.id, Data(hash), expiresAt, now])
            try Self.audit(
                db, time: now, actor: actor, action: "token.issue", subject: name,
                detail: ["token_id": id, "expires_at": ISO8601DateFormatter().string(from: expiresAt),
                         "superseded": String(superseded)])
        }
        return token
    }

    /// Redeems a join token: checks, in one transaction, that it exists, that
    /// the secret matches (in constant time), that it is unused, not revoked,
    /// not superseded and unexpired and that its home is not disabled, marks
    /// it used and supersedes every other unused token of the home
    /// ([ENROLL-8]), so once a home has enrolled no token issued before that
    /// can enroll it again. A wrong secret is
    /// reported as `tokenUnknown` so the answer does not confirm that a token
    /// id exists; whether a token is used, revoked, superseded or expired is only
    /// revealed to someone holding its secret.
    func redeemJoinToken(id rawID: String, secret: [UInt8], now: Date) async throws(RegistryError) -> Home {
        let id = rawID.lowercased()
        guard id.utf8.count == 32 else { throw .tokenUnknown }
        let presented = SHA256.hash(secret)
        return try await write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: """
                        SELECT home_id, secret_sha256, expires_at, used_at, superseded_at, revoked_at
                        FROM join_tokens WHERE id = ?
                        """,
                    arguments: [id])
            else { throw RegistryError.tokenUnknown }
            let stored: Data = try row.decode(forColumn: "secret_sha256")
            guard Self.constantTimeEqual(Array(stored), presented) else { throw RegistryError.tokenUnknown }
            let usedAt: Date? = try row.decode(forColumn: "used_at")
            guard usedAt == nil else { throw RegistryError.tokenUsed }
            let revokedAt: Date? = try row.decode(forColumn: "revoked_at")
            guard revokedAt == nil else { throw RegistryError.tokenRevoked }
            let supersededAt: Date? = try row.decode(forColumn: "superseded_at")
            guard supersededAt == nil else { throw RegistryError.tokenSuperseded }  // [ENROLL-8]
            let expiresAt: Date = try row.decode(forColumn: "expires_at")
            guard now < expiresAt else { throw RegistryError.tokenExpired }

            let homeID: Int64 = try row.decode(forColumn: "home_id")
            guard let home = try Home.fetchOne(db, sql: "SELECT * FROM homes WHERE id = ?", arguments: [homeID]) else {
                throw RegistryError.tokenUnknown  // unreachable: the foreign key cascades deletion
            }
            // Refused before the token is spent: once enabled, the same token still works.
            guard home.state != .disabled else { throw RegistryError.homeDisabled(home.name) }
            try db.execute(sql: "UPDATE join_tokens SET used_at = ? WHERE id = ?", arguments: [now, id])
            let superseded = try Self.supersedeUnusedTokens(db, home: homeID, now: now)
            try Self.audit(
                db, time: now, actor: .home(home.name), action: "token.redeem", subject: home.name,
                detail: ["token_id": id, "superseded": String(superseded)])
            return home
        }
    }

    /// Marks every unused, not yet superseded token of the home superseded
    /// ([ENROLL-8]) and returns how many it marked. Runs inside the caller's
    /// write transaction, so no redemption can slip between the check and
    /// the mark.
    private static func supersedeUnusedTokens(_ db: Database, home: Int64, now: Date) throws -> Int {
        try db.execute(
            sql: """
                UPDATE join_tokens SET superseded_at = ?
                WHERE home_id = ? AND used_at IS NULL AND superseded_at IS NULL AND revoked_at IS NULL
                """,
            arguments: [now, home])
        return db.changesCount
    }

    /// Compares two digests without an early exit, so the time taken does not
    /// reveal how many leading bytes of a guessed secret's hash were right.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }

    private static func seconds(_ duration: Duration) -> TimeInterval {
        let (seconds, attoseconds) = duration.components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
