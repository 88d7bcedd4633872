import Hummingbird
import NIOCore

/// A refusal the API sends as `{"error": {"code": …, "message": …}}`.
///
/// Every failure a handler can meet becomes one of these before it reaches
/// the wire, so clients see one error shape and a stable `code` to branch on,
/// and the status says whose fault it was: 4xx for the caller's mistakes, 500
/// only when the edge itself could not do its job (and then without details,
/// which go to the log instead).
struct APIError: Error, Sendable, Hashable {
    var status: HTTPResponse.Status
    /// Stable, snake_case; part of the documented contract.
    var code: String
    /// A sentence the operator can act on.
    var message: String
    /// Sent as `Allow` with 405 responses.
    var allow: [HTTPRequest.Method] = []

    static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: .badRequest, code: code, message: message)
    }

    /// A body field that is missing, mistyped, out of range or unknown; the
    /// message always names the field so a typo is found at once.
    static func invalidField(_ field: String, _ problem: String) -> APIError {
        .badRequest("invalid_field", "\(field): \(problem)")
    }

    static let unauthorized = APIError(
        status: .unauthorized, code: "unauthorized",
        message: "Send the edge's admin token as 'Authorization: Bearer <token>' (it is in admin.token in the data directory).")

    static func notConnected(_ home: String) -> APIError {
        APIError(
            status: .conflict, code: "not_connected",
            message: "Home \(home) has no live tunnel session; is its homeagent running?")
    }

    static func pingTimeout(_ home: String, after timeout: TimeAmount) -> APIError {
        APIError(
            status: .gatewayTimeout, code: "ping_timeout",
            message: "Home \(home) did not answer a PING within \(timeout.nanoseconds / 1_000_000) ms; its session may be stuck.")
    }

    static func notFound(path: String) -> APIError {
        APIError(status: .notFound, code: "not_found", message: "There is no endpoint at \(path.prefix(200)).")
    }

    static func methodNotAllowed(_ method: HTTPRequest.Method, allow: [HTTPRequest.Method]) -> APIError {
        APIError(
            status: .methodNotAllowed, code: "method_not_allowed",
            message: "\(method.rawValue) is not allowed here; use \(allow.map(\.rawValue).joined(separator: ", ")).",
            allow: allow)
    }

    static func bodyTooLarge(limit: Int) -> APIError {
        APIError(
            status: .contentTooLarge, code: "body_too_large",
            message: "The request body is larger than \(limit / 1024) KiB.")
    }

    static let unsupportedMediaType = APIError(
        status: .unsupportedMediaType, code: "unsupported_media_type",
        message: "Send request bodies as JSON with 'Content-Type: application/json'.")

    /// For failures that are not the caller's doing; the detail is logged, not sent.
    static let internalError = APIError(
        status: .internalServerError, code: "internal_error",
        message: "The edge could not complete the request; its log has the details.")
}
