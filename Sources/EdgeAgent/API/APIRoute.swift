import Foundation
import Hummingbird

/// One endpoint: a method, a path template in OpenAPI syntax
/// (`/api/homes/{name}`) and the handler.
///
/// Templates use the same syntax as `docs/api.yaml`, so the contract test can
/// compare the server's table with the document string for string.
struct APIRoute: Sendable {
    typealias Handler = @Sendable (APIRequest) async throws -> Response

    let method: HTTPRequest.Method
    let path: String
    /// False only for health checks, which load balancers call without a token.
    let requiresAuthentication: Bool
    let handler: Handler

    init(_ method: HTTPRequest.Method, _ path: String, authenticated: Bool = true, _ handler: @escaping Handler) {
        self.method = method
        self.path = path
        self.requiresAuthentication = authenticated
        self.handler = handler
    }

    /// The path parameters if `segments` fits the template, else nil.
    func match(_ segments: [Substring]) -> [String: String]? {
        let template = Self.segments(of: path)
        guard template.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (expected, actual) in zip(template, segments) {
            if expected.hasPrefix("{"), expected.hasSuffix("}") {
                let name = String(expected.dropFirst().dropLast())
                parameters[name] = String(actual).removingPercentEncoding ?? String(actual)
            } else if expected != actual {
                return nil
            }
        }
        return parameters
    }

    /// Non-empty path segments, so `/api/homes/` matches `/api/homes`.
    static func segments(of path: String) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: true)
    }
}
