import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
@testable import HomeAgent

/// The running agent's control socket with real Unix sockets: what it
/// answers, and that bad input gets an answer or a close, never a crash.
@Suite("Admin socket (the agent's local control socket)")
struct AdminSocketTests {
    /// A runner that is not connected (its loop is never started) behind a
    /// real control socket in a temp directory.
    static func withServer(nestedIn subdirectory: String? = nil, _ body: (String, HomeAgentRunner) async throws -> Void) async throws {
        try await withDirectory { base in
            var directory = base
            if let subdirectory {
                directory = base.appendingPathComponent(subdirectory)
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            }
            let configPath = directory.appendingPathComponent("homeagent.yaml").path
            var logger = Logger(label: "test")
            logger.logLevel = .critical
            let runner = HomeAgentRunner(config: ConfigFixture.issueConfig, configPath: configPath, group: loops, logger: logger)
            let path = AdminSocketCoding.socketPath(forConfig: configPath)
            let server = try await AdminSocketServer.bind(
                path: path, runner: runner, group: MultiThreadedEventLoopGroup.singleton, logger: logger)
            do { try await body(path, runner) } catch {
                await server.close()
                throw error
            }
            await server.close()
        }
    }

    /// A fresh short directory (Unix socket paths are limited to 107 bytes).
    static func withDirectory(_ body: (URL) async throws -> Void) async throws {
        let directory = URL(fileURLWithPath: "/tmp/portico-ctl-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try await body(directory)
    }

    /// Sends raw bytes (optionally half-closing) and returns what came back before the close.
    static func raw(_ bytes: [UInt8], to path: String, halfClose: Bool = false) async throws -> String {
        let reply = try await AdminSocketClient.rawExchange(bytes, path: path, halfClose: halfClose, group: loops)
        return String(decoding: reply, as: UTF8.self)
    }

    @Test("status answers with the agent's state; the socket is private to its user")
    func status() async throws {
        try await Self.withServer { path, _ in
            let reply = try await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: loops)
            #expect(reply.ok)
            #expect(reply.status?.home == "alice")
            #expect(reply.status?.forwards.map(\.name) == ["web", "app", "ssh"])
            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)
        }
    }

    @Test("malformed, unknown, oversized and truncated requests get an error or a close, and the socket keeps serving", arguments: [
        (Array("hello\n".utf8), "malformed request"),
        (Array(#"{"command":"explode"}"#.utf8) + [10], "malformed request"),
        (Array(#"{"command":"domain-add"}"#.utf8) + [10], "domain-add needs a domain"),
        (Array(#"{"command":"domain-add","domain":"example.com"}"#.utf8) + [10], "not connected to the edge"),
        (Array(#"{"command":"domain-list"}"#.utf8) + [10], "not connected to the edge"),
        ([UInt8](repeating: 0x41, count: 20_000), "request longer than 16384 bytes"),
        ([0xFF, 0xFE, 0x00, 10], "malformed request"),
    ] as [([UInt8], String)])
    func badInput(bytes: [UInt8], expected: String) async throws {
        try await Self.withServer { path, _ in
            let reply = try await Self.raw(bytes, to: path)
            #expect(reply.contains(#""ok":false"#), "\(reply)")
            #expect(reply.contains(expected), "\(reply)")
            #expect(try await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: loops).ok)
        }
    }

    @Test("a request cut off before its newline is closed without an answer")
    func truncated() async throws {
        try await Self.withServer { path, _ in
            let reply = try await Self.raw(Array(#"{"command":"sta"#.utf8), to: path, halfClose: true)
            #expect(reply == "")
            #expect(try await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: loops).ok)
        }
    }

    @Test("a config deeper than a socket address allows still gets its socket next to it, and the CLI reaches it")
    func deepConfigPath() async throws {
        let deep = (1...6).map { "nested-directory-\($0)" }.joined(separator: "/")
        try await Self.withServer(nestedIn: deep) { path, _ in
            #expect(path.utf8.count > UnixSocketPath.maximumLength)
            let reply = try await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: loops)
            #expect(reply.ok)
            #expect(reply.status?.home == "alice")
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.type] as? FileAttributeType == .typeSocket)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
        }
    }

    @Test("the socket file is 0600 the moment bind creates it, whatever the umask allows; a taken path is a clear error")
    func privateFromTheStart() async throws {
        try await Self.withDirectory { directory in
            let path = directory.appendingPathComponent("private.sock").path
            let descriptor = try PrivateUnixSocket.bind(path, naming: path)
            defer { close(descriptor) }
            // Nothing has run between bind and this look (no chmod after the fact).
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect(attributes[.type] as? FileAttributeType == .typeSocket)
            #expect(attributes[.posixPermissions] as? Int == 0o600)
            let error = #expect(throws: PrivateUnixSocketError.self) { try PrivateUnixSocket.bind(path, naming: path) }
            #expect(error?.description == "control socket \(path): bind failed: Address already in use")
        }
    }

    @Test("a socket name that cannot fit, or a missing directory, is a clear error")
    func unaddressable() async throws {
        let longName = "/tmp/" + String(repeating: "n", count: 120) + ".sock"
        await #expect(throws: UnixSocketPathError.self) {
            try await AdminSocketClient.send(AdminRequest(command: .status), to: longName, group: loops)
        }
        let missing = "/tmp/portico-missing-\(UUID().uuidString)/" + String(repeating: "d", count: 80) + "/homeagent.sock"
        let error = await #expect(throws: UnixSocketPathError.self) {
            try await AdminSocketClient.send(AdminRequest(command: .status), to: missing, group: loops)
        }
        #expect(error?.description.contains("cannot open its directory: No such file or directory") == true)
    }

    @Test("a second agent for the same config is refused; a stale socket file is replaced")
    func exclusive() async throws {
        try await Self.withServer { path, runner in
            await #expect(throws: RunningAgentError.self) {
                _ = try await AdminSocketServer.bind(
                    path: path, runner: runner, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "t"))
            }
        }
        try await Self.withDirectory { directory in
            let path = directory.appendingPathComponent("stale.sock").path
            #expect(FileManager.default.createFile(atPath: path, contents: Data("left over".utf8)))
            let runner = HomeAgentRunner(config: ConfigFixture.issueConfig, configPath: path, group: loops, logger: Logger(label: "t"))
            let server = try await AdminSocketServer.bind(
                path: path, runner: runner, group: MultiThreadedEventLoopGroup.singleton, logger: Logger(label: "t"))
            #expect(try await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: loops).ok)
            await server.close()
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }
}

private let loops = MultiThreadedEventLoopGroup.singleton
