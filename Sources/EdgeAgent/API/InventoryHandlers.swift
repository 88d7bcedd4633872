import Hummingbird

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
        let hostname = request.context.publicHostname
        return APIResponse.json(.object([
            "forwards": .array(forwards.map { APIPresentation.forward($0, publicHostname: hostname) }),
        ]))
    }

    /// `GET /api/routes`: what the public listeners route, and whether the
    /// home behind each route is connected right now.
    @Sendable static func routes(_ request: APIRequest) async throws -> Response {
        let routes = try await request.context.registry.routes()
        let connected = Set(request.context.sessions.connectedHomes)
        let hostname = request.context.publicHostname
        return APIResponse.json(.object([
            "routes": .array(routes.map {
                APIPresentation.route($0, connected: connected.contains($0.home), publicHostname: hostname)
            }),
        ]))
    }

    static let auditLimitRange = 1...1000
    static let defaultAuditLimit = 100

    /// `GET /api/audit?limit=N`, newest first.
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
        let entries = try await request.context.registry.auditLog(limit: limit)
        return APIResponse.json(.object(["entries": .array(entries.map(APIPresentation.audit))]))
    }
}
