import DNS
import TestSupport
import Foundation
import Logging
import NIOPosix
import ServiceLifecycle
import Testing
@testable import EdgeAgent

/// A running API server on 127.0.0.1:0 over a real SQLite registry in a
/// temporary directory, driven with `curl` so requests cross a real socket.
struct APIHarness: Sendable {
    static let token = String(repeating: "ab", count: 32)
    static let caPin = [UInt8](repeating: 0x5A, count: 32)
    static let tunnelHost = "edge.example.net"
    static let tunnelPort = 8444

    let server: RunningAPIServer
    let registry: Registry
    let sessions: HomeSessionTable
    let directory: URL
    /// What the handlers were given, for tests that call one directly.
    let context: APIContext

    var baseURL: String { "http://127.0.0.1:\(server.port)" }

    /// Runs `body` against a fresh server and registry; stops and removes both afterwards.
    static func with(_ body: (APIHarness) async throws -> Void) async throws {
        try await RegistryFixture.with { registry, directory in
            let sessions = HomeSessionTable()
            var logger = Logger(label: "portico.api.test")
            logger.logLevel = .critical
            var context = APIContext(
                registry: registry, sessions: sessions, adminToken: AdminToken(value: token),
                tunnelHost: tunnelHost, tunnelPort: tunnelPort, caPin: caPin,
                publicAddresses: EdgePublicAddresses(hostname: "edge.example.net", tlsPort: 443, httpPort: 80),
                clock: { RegistryFixture.t0 })
            context.pingTimeout = .milliseconds(500)
            // Claims need DNS proof here, and the nameserver (a port nobody
            // serves) never answers: without skip_verification a claim is 409.
            context.domainVerifier = DomainVerifier(
                key: DomainProofKey(bytes: Array(repeating: 1, count: 32)),
                resolver: DNSResolver(
                    servers: [try DNSServerAddress(host: "127.0.0.1", port: try FreePorts.one())],
                    timeout: .milliseconds(200), attempts: 1, group: MultiThreadedEventLoopGroup.singleton))
            let server = try await RunningAPIServer.start(host: "127.0.0.1", port: 0, context: context, logger: logger)
            let harness = APIHarness(
                server: server, registry: registry, sessions: sessions, directory: directory, context: context)
            do {
                try await body(harness)
            } catch {
                await server.stop()
                throw error
            }
            await server.stop()
        }
    }

    /// Sends one request. `json` is sent as the body with `Content-Type:
    /// application/json` unless `contentType` says otherwise (nil: no header);
    /// `token` nil sends no `Authorization` header.
    func send(
        _ method: String, _ path: String, json: String? = nil, bodyFile: URL? = nil,
        contentType: String? = "application/json", token: String? = APIHarness.token,
        authorization: String? = nil, headers extra: [String] = []
    ) async throws -> HTTPReply {
        var headers = extra
        if let authorization {
            headers.append("Authorization: \(authorization)")
        } else if let token {
            headers.append("Authorization: Bearer \(token)")
        }
        headers.append(contentType.map { "Content-Type: \($0)" } ?? "Content-Type:")
        var upload = bodyFile
        if let json {
            let file = directory.appendingPathComponent("body-\(UUID().uuidString).json")
            try Data(json.utf8).write(to: file)
            upload = file
        }
        return try await Curl.run(method: method, url: baseURL + path, headers: headers, bodyFile: upload,
                                  scratch: directory)
    }
}

/// What came back: status, headers (names lower-cased) and the body.
struct HTTPReply: Sendable, CustomStringConvertible {
    var status: Int
    var headers: [String: String]
    var body: Data

    /// The body parsed as JSON; `.null` when it is empty or not JSON.
    var json: JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: body)) ?? .null
    }

    /// `error.code` of an error body.
    var errorCode: String? { json["error"]?["code"]?.stringValue }
    var errorMessage: String { json["error"]?["message"]?.stringValue ?? "" }

    var description: String { "\(status) \(String(decoding: body, as: UTF8.self))" }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        if case .object(let fields) = self { fields[key] } else { nil }
    }

    var stringValue: String? { if case .string(let text) = self { text } else { nil } }
    var intValue: Int? { if case .integer(let value) = self { value } else { nil } }
    var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// Integers and fractions alike (JSON does not tell 0 from 0.0).
    var numberValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .number(let value): value
        default: nil
        }
    }
    var arrayValue: [JSONValue] { if case .array(let items) = self { items } else { [] } }
}

/// Runs `/usr/bin/curl` with a hard deadline; a hung curl is killed by PID.
///
/// The deadline only catches a server that hangs. It is generous because the
/// API server runs inside the test process, on the concurrency pool that
/// hundreds of tests share: on a loaded two-core machine a handler can wait
/// seconds for a thread, which is the test run's doing, not the server's.
enum Curl {
    static func run(method: String, url: String, headers: [String], bodyFile: URL?, scratch: URL) async throws
        -> HTTPReply
    {
        let id = UUID().uuidString
        let bodyOut = scratch.appendingPathComponent("reply-\(id).body")
        let headersOut = scratch.appendingPathComponent("reply-\(id).headers")
        var arguments = ["-s", "-S", "--max-time", "30", "-X", method, "-o", bodyOut.path, "-D", headersOut.path,
                         "-w", "%{http_code}", "-H", "Expect:"]
        for header in headers { arguments += ["-H", header] }
        if let bodyFile { arguments += ["--data-binary", "@" + bodyFile.path] }
        arguments.append(url)

        let statusOut = scratch.appendingPathComponent("reply-\(id).status").path
        defer { try? FileManager.default.removeItem(atPath: statusOut) }
        let process = try SpawnedProcess("/usr/bin/curl", arguments, output: statusOut)
        await process.waitForExit(timeout: .seconds(40))
        if process.isRunning {
            await process.killAndWait()
            Issue.record("curl \(method) \(url) did not finish in time")
        }
        let statusText = (try? String(contentsOfFile: statusOut, encoding: .utf8)) ?? ""
        let body = (try? Data(contentsOf: bodyOut)) ?? Data()
        let headerText = (try? String(contentsOf: headersOut, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: bodyOut)
        try? FileManager.default.removeItem(at: headersOut)
        return HTTPReply(status: Int(statusText) ?? 0, headers: parseHeaders(headerText), body: body)
    }

    private static func parseHeaders(_ text: String) -> [String: String] {
        var headers: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = line[..<colon].lowercased()
            headers[name] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return headers
    }
}

/// An API server running alone in its own service group, the way the API
/// tests need it: `start` returns once it listens, `stop` shuts the group down.
struct RunningAPIServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let running: Task<Void, any Error>

    static func start(host: String = "127.0.0.1", port: Int, context: APIContext, logger: Logger) async throws
        -> RunningAPIServer
    {
        let server = APIServer(
            host: host, port: port, context: context, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
        let group = ServiceGroup(services: [server], logger: logger)
        let running = Task { try await group.run() }
        do {
            return RunningAPIServer(port: try await server.port(), group: group, running: running)
        } catch {
            _ = await running.result
            throw error
        }
    }

    /// Stops accepting, lets requests in progress finish, and waits until the server ended. Safe to call twice.
    func stop() async {
        await group.triggerGracefulShutdown()
        _ = await running.result
    }
}
