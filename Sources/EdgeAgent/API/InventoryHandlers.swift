import Hummingbird
import Wire

/// Read-only views: base domains, a home's forwards, the live route table
/// and the audit log.
enum InventoryHandlers {
    /// `GET /api/domains`
    @Sendable static func domains(_ request: APIRequest) async throws -> Response {
        let claims = try await request.context.registry.allDomains()
        return APIResponse.json(.object(["domains": .array(claims.map(APIPresentation.domain))]))
    }

    /// `GET /api/homes/{name}/forwards`, accepted and rejected ones.
    @Sendable static func forwards(_ request: APIRequest) async throws -> Response {
        let forwards = try await request.context.registry.forwards(of: request.parameter("name"))
        let addresses = request.context.publicAddresses
        return APIResponse.json(.object([
            "forwards": .array(forwards.map { APIPresentation.forward($0, addresses: addresses) }),
        ]))
    }

    /// `GET /api/routes`: what the public listeners route, whether the home
    /// behind each route is connected right now, and how many public
    /// connections were turned away since the edge started, by reason.
    @Sendable static func routes(_ request: APIRequest) async throws -> Response {
        let routes = try await request.context.registry.routes()
        let connected = Set(request.context.sessions.connectedHomes)
        let addresses = request.context.publicAddresses
        let counts = request.context.metrics.refusals.snapshot
        var refusals: [String: JSONValue] = [:]
        for reason in PublicRefusal.allCases { refusals[reason.rawValue] = .integer(counts[reason] ?? 0) }
        return APIResponse.json(.object([
            "refusals": .object(refusals),
            "routes": .array(routes.map {
                APIPresentation.route($0, connected: connected.contains($0.home), addresses: addresses)
            }),
        ]))
    }

    static let auditLimitRange = 1...1000
    static let defaultAuditLimit = 100

    /// `GET /api/audit?limit=N&home=NAME`, newest first; `home` keeps the
    /// entries about that home or done by it.
    @Sendable static func audit(_ request: APIRequest) async throws -> Response {
        var limit = defaultAuditLimit
        if let text = request.query("limit") {
            guard let value = Int(text), auditLimitRange.contains(value) else {
                throw APIError.badRequest(
                    "invalid_query",
                    "limit: must be an integer from \(auditLimitRange.lowerBound) to \(auditLimitRange.upperBound).")
            }
            limit = value
        }
        let home = request.query("home")
        if let home, (try? HomeName(home)) == nil {
            throw APIError.badRequest("invalid_query", "home: '\(home.prefix(80))' is not a home name.")
        }
        let entries = try await request.context.registry.auditLog(limit: limit, home: home)
        return APIResponse.json(.object(["entries": .array(entries.map(APIPresentation.audit))]))
    }
}
