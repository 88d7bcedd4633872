import Foundation
import GRDB

/// A base domain and the home that holds it (and so every name under it).
struct DomainClaim: Hashable, Sendable {
    var name: String
    var home: String
    var createdAt: Date
}

extension DomainClaim: FetchableRecord {
    /// Decodes a `domains` row joined with its home's name as `home_name`.
    init(row: Row) throws {
        name = try row.decode(forColumn: "name")
        home = try row.decode(forColumn: "home_name")
        createdAt = try row.decode(forColumn: "created_at")
    }

    static let selectSQL = """
        SELECT domains.name, domains.created_at, homes.name AS home_name
        FROM domains JOIN homes ON homes.id = domains.home_id
        """
}
