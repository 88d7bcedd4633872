import Hummingbird
import Wire

/// Join tokens: issued when a home is created and on demand later (a lost or
/// expired token is replaced, never shown again: only its hash is stored).
/// Issuing one supersedes the home's older unused tokens ([ENROLL-8]).
enum TokenHandlers {
    /// `POST /api/homes/{name}/tokens`, body optional: `{"token_ttl_seconds": N}`.
    @Sendable static func issue(_ request: APIRequest) async throws -> Response {
        let body = try await request.jsonBody(allowed: [BodyFields.tokenTTL])
        let ttl = try BodyFields.tokenTTL(body)
        let fields = try await issue(home: request.parameter("name"), ttlSeconds: ttl, context: request.context)
        return APIResponse.json(.object(fields), status: .created)
    }

    /// Issues a token and renders it in the one-line form `homeagent join` takes.
    static func issue(home: String, ttlSeconds: Int, context: APIContext) async throws -> [String: JSONValue] {
        let issued = try await context.registry.issueJoinToken(
            home: home, ttl: .seconds(ttlSeconds), now: context.clock())
        let token: JoinToken
        do {
            guard let port = UInt16(exactly: context.tunnelPort) else { throw JoinTokenError.invalidPort }
            token = try JoinToken(
                host: context.tunnelHost, port: port, id: issued.idBytes, secret: issued.secret, caPin: context.caPin)
        } catch {
            // The edge's own settings (tunnel host or port) are wrong, not the request.
            throw APIError(
                status: .internalServerError, code: "edge_misconfigured",
                message: "The edge's tunnel address cannot go into a join token: \(error).")
        }
        return APIPresentation.joinToken(token.text, home: issued.home, expiresAt: issued.expiresAt)
    }

    /// `GET /api/homes/{name}/tokens`: the home's join tokens, newest first,
    /// with what became of each; never a secret (the edge keeps only hashes).
    @Sendable static func list(_ request: APIRequest) async throws -> Response {
        let context = request.context
        let tokens = try await context.registry.joinTokens(home: request.parameter("name"))
        let now = context.clock()
        return APIResponse.json(.object(["tokens": .array(tokens.map { APIPresentation.token($0, now: now) })]))
    }

    /// `POST /api/homes/{name}/tokens/{id}/revoke`: the token (id, or a
    /// unique prefix of 8 or more hex digits) no longer enrolls anyone; a
    /// home that presents it is told it was revoked.
    @Sendable static func revoke(_ request: APIRequest) async throws -> Response {
        _ = try await request.jsonBody(allowed: [])
        let context = request.context
        let now = context.clock()
        let token = try await context.registry.revokeJoinToken(
            home: request.parameter("name"), id: request.parameter("id"), now: now)
        return APIResponse.json(APIPresentation.token(token, now: now))
    }
}
