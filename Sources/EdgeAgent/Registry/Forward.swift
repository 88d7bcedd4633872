import Foundation
import GRDB
import Wire

/// A forward as the edge stored it after a sync: the home's declaration plus
/// what the edge decided (the public port of a TCP forward, or why the
/// forward was rejected). Rejected forwards are kept, with `error` set, so
/// status views can show them; only forwards without an error are routed.
struct Forward: Hashable, Sendable {
    var id: Int64
    var home: String
    var name: String
    var type: ForwardType
    /// Normalised, possibly a wildcard (`*.example.com`); nil for TCP.
    var hostname: String?
    /// The allocated public port of an accepted TCP forward.
    var publicPort: Int?
    /// `"v2"` when the home wants a PROXY protocol v2 header.
    var proxyProtocol: String?
    var compress: Bool?
    /// The local target the home reported, for operators only: the edge never
    /// dials it.
    var target: String?
    /// Why the last sync rejected this forward; nil when it is routed.
    var error: String?
    var createdAt: Date
    var updatedAt: Date
}

extension Forward: FetchableRecord {
    /// Decodes a `forwards` row joined with its home's name as `home_name`.
    init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        home = try row.decode(forColumn: "home_name")
        name = try row.decode(forColumn: "name")
        let typeText: String = try row.decode(forColumn: "type")
        // The schema's CHECK constraint admits only the three types.
        type = ForwardType(rawValue: typeText) ?? .tcp
        hostname = try row.decode(forColumn: "hostname")
        publicPort = try row.decode(forColumn: "public_port")
        proxyProtocol = try row.decode(forColumn: "proxy_protocol")
        compress = try row.decode(forColumn: "compress")
        target = try row.decode(forColumn: "target")
        error = try row.decode(forColumn: "error")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }

    static let selectSQL = """
        SELECT forwards.*, homes.name AS home_name
        FROM forwards JOIN homes ON homes.id = forwards.home_id
        """
}
