import Foundation
import GRDB

/// A join token as the operator may see it: when it was issued, until when
/// it works and what became of it. Never its secret, which the registry
/// does not even hold (only its hash, and that stays inside the registry).
struct JoinTokenRecord: Hashable, Sendable {
    /// What became of a token, in the order the checks at join apply.
    enum Status: String, Hashable, Sendable, CaseIterable {
        /// Enrolled the home.
        case used
        /// Withdrawn by the operator before anyone used it.
        case revoked
        /// A newer token was issued, or the home enrolled with another ([ENROLL-8]).
        case superseded
        case expired
        /// Would enroll the home now.
        case unused
    }

    /// 32 hex digits, as in the token's text.
    var id: String
    var home: String
    var createdAt: Date
    var expiresAt: Date
    var usedAt: Date?
    var supersededAt: Date?
    var revokedAt: Date?

    func status(now: Date) -> Status {
        if usedAt != nil { return .used }
        if revokedAt != nil { return .revoked }
        if supersededAt != nil { return .superseded }
        if now >= expiresAt { return .expired }
        return .unused
    }
}

extension JoinTokenRecord: FetchableRecord {
    init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        home = try row.decode(forColumn: "home")
        createdAt = try row.decode(forColumn: "created_at")
        expiresAt = try row.decode(forColumn: "expires_at")
        usedAt = try row.decode(forColumn: "used_at")
        supersededAt = try row.decode(forColumn: "superseded_at")
        revokedAt = try row.decode(forColumn: "revoked_at")
    }
}
