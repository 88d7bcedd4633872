import AgentRuntime
import Foundation
import NIOHTTP1

/// The admin commands' way to the running edge: its REST API on 127.0.0.1,
/// authenticated with the admin token from the data directory.
struct AdminClient {
    let port: Int
    let token: String
    /// Where the token came from, to name it when the edge refuses it.
    let dataDirectory: URL

    /// Finds the API port and the admin token. An explicit `--api-port`
    /// wins; otherwise the port the edge running on this data directory
    /// wrote to `edge.runtime.json`. With no edge running there (its lock
    /// is free) that file is stale, and saying so beats a connection error.
    init(options: AdminOptions) throws {
        let resolved = try options.resolve()
        let directory = resolved.dataDirectory
        guard let admin = try AdminToken.load(in: directory) else {
            throw AdminClientError(
                "no admin token in \(directory.path): has `edgeagent serve` run with this data directory? (set it with --data-dir, PORTICO_DATA_DIR or data_dir in the config file)")
        }
        let port: Int
        if let explicit = resolved.apiPort {
            port = explicit
        } else if ProcessLock.isHeld(directory.appendingPathComponent(EdgeServices.lockFileName).path) {
            guard let announced = EdgeRuntimeFile.read(from: directory)?.apiPort else {
                throw AdminClientError(
                    "the edge running with the data directory \(directory.path) is still starting (no edge.runtime.json yet): try again in a moment")
            }
            port = announced
        } else {
            throw AdminClientError(
                "no edge is running with the data directory \(directory.path): start it with `edgeagent serve --data-dir \(directory.path)` (or give --api-port to reach one elsewhere)")
        }
        self.port = port
        token = admin.value
        dataDirectory = directory
    }

    /// Sends a request and returns the decoded JSON body (nil for 204);
    /// an API error becomes an `AdminClientError` with the API's message.
    /// `query` values are percent-encoded here, like the path.
    func call(_ method: String, _ path: String, query: [(String, String)] = [], body: [String: Any]? = nil)
        async throws -> Any?
    {
        var headers = [("Authorization", "Bearer \(token)")]
        var bytes: [UInt8]?
        if let body {
            bytes = Array(try JSONSerialization.data(withJSONObject: body))
            headers.append(("Content-Type", "application/json"))
        }
        let response: LoopbackHTTPClient.Response
        do {
            response = try await LoopbackHTTPClient.send(
                HTTPMethod(rawValue: method), port: port,
                path: Self.target(path, query: query),
                headers: headers, body: bytes,
                group: AgentProcess.eventLoopGroup)
        } catch {
            throw AdminClientError(
                "cannot reach the edge API at 127.0.0.1:\(port): is `edgeagent serve` running? (\(NetworkErrorText.describe(error)))")
        }
        let json = response.body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: Data(response.body))
        if response.status == 401 {
            // The API port of an edge whose data directory is another one.
            throw AdminClientError(
                "the edge API at 127.0.0.1:\(port) does not accept the admin token of \(dataDirectory.path): "
                    + "it belongs to an edge with another data directory; give that one's --data-dir, or drop --api-port")
        }
        guard (200..<300).contains(response.status) else {
            let message = ((json as? [String: Any])?["error"] as? [String: Any])?["message"] as? String
            throw AdminClientError(message ?? "the edge API answered HTTP \(response.status)")
        }
        return json
    }
}

extension AdminClient {
    /// The request target: names typed by the operator may hold anything
    /// (the API judges them), so path and query values are percent-encoded.
    static func target(_ path: String, query: [(String, String)]) -> String {
        let encodedPath = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        guard !query.isEmpty else { return encodedPath }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let pairs = query.map { key, value in "\(key)=\(value.addingPercentEncoding(withAllowedCharacters: allowed) ?? "")" }
        return encodedPath + "?" + pairs.joined(separator: "&")
    }
}

/// A failure to show the operator as is.
struct AdminClientError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
