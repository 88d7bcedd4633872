import Foundation
import Hummingbird
import NIOCore

/// One matched request as a handler sees it: the edge's context, the path
/// parameters named in the route's template, and guarded access to the body.
struct APIRequest: Sendable {
    /// Request bodies are small JSON objects; anything bigger is a mistake or
    /// an attack, and is refused before it is buffered.
    static let maximumBodyBytes = 64 * 1024

    let request: Request
    let context: APIContext
    let parameters: [String: String]

    /// The path parameter `name` (the route template guarantees it exists).
    func parameter(_ name: String) -> String {
        parameters[name] ?? ""
    }

    /// The first value of query parameter `name` (Hummingbird percent-decodes it).
    func query(_ name: String) -> String? {
        request.uri.queryParameters[Substring(name)].map(String.init)
    }

    /// Reads the body as a JSON object with only the `allowed` fields. An
    /// empty body is the empty object, unless the endpoint `requiresBody`
    /// (its OpenAPI operation says `requestBody.required: true`).
    ///
    /// Order of checks: size (413) before type (415) before syntax (400), so a
    /// huge upload is refused on its `Content-Length` without being read.
    func jsonBody(allowed: Set<String>, requiresBody: Bool = false) async throws -> JSONObjectBody {
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > Self.maximumBodyBytes {
            throw APIError.bodyTooLarge(limit: Self.maximumBodyBytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: Self.maximumBodyBytes)
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge(limit: Self.maximumBodyBytes)
        }
        let bytes = Array(buffer.readableBytesView)
        if bytes.isEmpty, requiresBody {
            throw APIError.badRequest(
                "missing_body",
                "This request needs a JSON object body with the fields to change; accepted fields are "
                    + "\(allowed.sorted().joined(separator: ", ")).")
        }
        if !bytes.isEmpty, !Self.isJSON(request.headers[.contentType]) {
            throw APIError.unsupportedMediaType
        }
        return try JSONObjectBody(bytes: bytes, allowed: allowed)
    }

    /// `application/json`, any case, parameters such as `charset` allowed.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first ?? ""
        return mediaType.trimmingCharacters(in: .whitespaces).lowercased() == APIResponse.jsonContentType
    }
}
