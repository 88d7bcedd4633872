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
}
