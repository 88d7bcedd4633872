import AgentRuntime
import Foundation
import Hummingbird
import Logging

/// Turns every request into a response: authenticates `/api/…`, finds the
/// route (404 for an unknown path, 405 with `Allow` for a known path with the
/// wrong method), runs the handler, and converts whatever it throws into the
/// documented error shape. Nothing a caller sends can produce a 500; only the
/// edge's own failures (storage) do, and their details go to the log.
struct APIResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let context: APIContext
    let routes: [APIRoute]
    let logger: Logger

    func respond(to request: Request, context _: BasicRequestContext) async throws -> Response {
        let started = ContinuousClock.now
        let segments = APIRoute.segments(of: request.uri.path)
        let candidates = routes.compactMap { route in route.match(segments).map { (route, $0) } }
        let response = await answer(request, segments: segments, candidates: candidates)
        // The template, never the raw path: the label must not grow with what callers send.
        context.metrics.api.record(
            method: request.method, route: candidates.first?.0.path, status: response.status,
            duration: ContinuousClock.now - started)
        return response
    }

    /// `candidates` are the routes whose template fits the path, with their parameters.
    private func answer(
        _ request: Request, segments: [Substring], candidates: [(APIRoute, [String: String])]
    ) async -> Response {
        do {
            return try await dispatch(request, segments: segments, candidates: candidates)
        } catch let error as APIError {
            return APIResponse.error(error)
        } catch let error as RegistryError {
            if case .storage(let detail) = error {
                logger.error("registry failure", metadata: ["api.path": "\(request.uri.path)", "error": "\(detail)"])
            }
            return APIResponse.error(APIError(error))
        } catch {
            logger.error("unexpected API failure", metadata: ["api.path": "\(request.uri.path)", "reason": .reason(error)])
            return APIResponse.error(.internalError)
        }
    }

    private func dispatch(
        _ request: Request, segments: [Substring], candidates: [(APIRoute, [String: String])]
    ) async throws -> Response {
        // Authenticate before routing, so an unauthenticated caller cannot
        // map which paths exist.
        if segments.first == "api", !isAuthorized(request) {
            throw APIError.unauthorized
        }
        guard !candidates.isEmpty else { throw APIError.notFound(path: request.uri.path) }
        // Also before the method check: a 405 (with `Allow`) for a path
        // outside /api/ such as /metrics would tell an unauthenticated caller
        // that it exists.
        if candidates.contains(where: { $0.0.requiresAuthentication }), !isAuthorized(request) {
            throw APIError.unauthorized
        }
        guard let (route, parameters) = candidates.first(where: { $0.0.method == request.method }) else {
            throw APIError.methodNotAllowed(request.method, allow: candidates.map(\.0.method))
        }
        return try await route.handler(APIRequest(request: request, context: context, parameters: parameters))
    }

    /// `Authorization: Bearer <token>`, the scheme in any case, the token
    /// compared in constant time by `AdminToken.verify`.
    private func isAuthorized(_ request: Request) -> Bool {
        guard let header = request.headers[.authorization] else { return false }
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return context.adminToken.verify(parts[1].trimmingCharacters(in: .whitespaces))
    }
}
