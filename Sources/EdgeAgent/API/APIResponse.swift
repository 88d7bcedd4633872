import Foundation
import Hummingbird

/// Builds the API's responses: JSON bodies with stable key order, and errors
/// in the one documented shape.
enum APIResponse {
    static let jsonContentType = "application/json"

    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // A JSONValue holds only JSON types, and its numbers come from parsed
        // JSON or the registry's integers (never NaN), so encoding cannot fail.
        var body = (try? encoder.encode(value)) ?? Data("null".utf8)
        body.append(0x0A)  // a trailing newline keeps curl output readable
        return Response(
            status: status, headers: [.contentType: jsonContentType],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func noContent() -> Response {
        Response(status: .noContent)
    }

    static func error(_ error: APIError) -> Response {
        var response = json(
            .object(["error": .object(["code": .string(error.code), "message": .string(error.message)])]),
            status: error.status)
        if !error.allow.isEmpty {
            response.headers[.allow] = error.allow.map(\.rawValue).joined(separator: ", ")
        }
        if error.status == .unauthorized {
            response.headers[.wwwAuthenticate] = "Bearer"
        }
        return response
    }
}
