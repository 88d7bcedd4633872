import TestSupport
import Foundation
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// The real `homeagent join` binary against a real edge on loopback.
@Suite("homeagent join", .timeLimit(.minutes(1)))
struct JoinCommandTests {
    static func run(_ arguments: [String]) async throws -> AgentRun {
        try await AgentRun.run("homeagent", arguments)
    }

    /// An edge with home alice created, alice's join token, and a fresh
    /// directory (not created) for the config.
    static func aliceToken() async throws -> (EdgeFixture, JoinToken, directory: URL) {
        let edge = try await EdgeFixture()
        _ = try await edge.registry.createHome(name: "alice", now: Date())
        let token = try await edge.token(for: "alice")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-join-\(UUID().uuidString)")
        return (edge, token, directory)
    }

    static func mode(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int) ?? -1
    }

    @Test("join writes a 0600 config and key, then a second join with the same token fails with a clear message")
    func joinWritesConfigAndKey() async throws {
        let (edge, token, directory) = try await Self.aliceToken()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("homeagent.yaml").path

        let joined = try await Self.run(["join", token.text, "--config", config])
        #expect(joined.status == 0, "stderr: \(joined.error)")
        #expect(joined.output.contains("as home \"alice\""))
        #expect(Self.mode(config) == 0o600)
        #expect(Self.mode(directory.appendingPathComponent("homeagent.key").path) == 0o600)
        let loaded = try HomeConfigFile.load(path: config)
        #expect(loaded.home == "alice")
        #expect(loaded.edge.description == "127.0.0.1:\(edge.port)")
        #expect(loaded.caPin == SHA256.hex(edge.authority.caPin))
        let certificate = try Certificate(pem: String(contentsOfFile: directory.appendingPathComponent("homeagent.pem").path, encoding: .utf8))
        #expect(try await edge.registry.home(named: "alice")?.certificateSHA256 == SHA256.hex(certificate.fingerprintSHA256))

        let again = try await Self.run(["join", token.text, "--config", config, "--force"])
        #expect(again.status != 0)
        #expect(again.error.contains("already used"), "stderr: \(again.error)")
        let refused = try await Self.run(["join", token.text, "--config", config])
        #expect(refused.status != 0)
        #expect(refused.error.contains("--force"), "stderr: \(refused.error)")
        try await edge.stop()
    }

    @Test("a damaged token and an unreachable edge each say exactly why", arguments: [
        ("portico1-AAAA", "token"),
        ("not-a-token", "not a Portico join token"),
    ])
    func badTokens(_ token: String, _ expected: String) async throws {
        let run = try await Self.run(["join", token, "--config", "/nonexistent/portico/homeagent.yaml"])
        #expect(run.status != 0)
        #expect(run.error.contains(expected), "stderr: \(run.error)")
    }

    @Test func unreachableEdge() async throws {
        let token = try JoinToken(host: "127.0.0.1", port: 1, id: Array(repeating: 1, count: 16),
                                  secret: Array(repeating: 2, count: 32), caPin: Array(repeating: 3, count: 32))
        let run = try await Self.run(["join", token.text, "--config", "/nonexistent/portico/homeagent.yaml"])
        #expect(run.status != 0)
        #expect(run.error.contains("cannot reach the edge at 127.0.0.1:1"), "stderr: \(run.error)")
    }

    @Test("--edge dials another address than the token's, checks the edge against the token's pin all the same, and the config keeps it")
    func edgeAddressOverride() async throws {
        let (edge, token, directory) = try await Self.aliceToken()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("homeagent.yaml").path

        // Where nothing listens: the override is what is dialled.
        let nowhere = try await Self.run(["join", token.text, "--edge", "127.0.0.1:1", "--config", config])
        #expect(nowhere.status != 0 && nowhere.error.contains("cannot reach the edge at 127.0.0.1:1"), "stderr: \(nowhere.error)")
        let bad = try await Self.run(["join", token.text, "--edge", "no-port", "--config", config])
        #expect(bad.status != 0 && bad.error.contains("--edge"), "stderr: \(bad.error)")

        let joined = try await Self.run(["join", token.text, "--edge", "localhost:\(edge.port)", "--config", config])
        #expect(joined.status == 0, "stderr: \(joined.error)")
        #expect(try HomeConfigFile.load(path: config).edge.description == "localhost:\(edge.port)")
    }

    /// Runs the home agent inside a private mount namespace where `/etc/hosts`
    /// says `localhost` is `::1` first, then 127.0.0.1 (as on a stock Debian
    /// machine), while the edge listens on 127.0.0.1 only. Needs root for
    /// `unshare -m`, which CI has.
    static func runWithDualStackLocalhost(_ arguments: [String], directory: URL) async throws -> AgentRun {
        let hosts = directory.appendingPathComponent("hosts")
        try "::1 localhost\n127.0.0.1 localhost\n".write(to: hosts, atomically: true, encoding: .utf8)
        let quoted = ([AgentRun.binary("homeagent")] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try await AgentRun.tool("/usr/bin/unshare", [
            "-m", "--propagation", "private", "/bin/sh", "-c", "mount --bind '\(hosts.path)' /etc/hosts && exec \(quoted)",
        ])
    }

    @Test("join and sync through a name whose first address has no edge use the address that connects",
          .enabled(if: getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"), "needs root for unshare -m"))
    func nameWithSeveralAddresses() async throws {
        let (edge, token, directory) = try await Self.aliceToken()
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = directory.appendingPathComponent("home/homeagent.yaml").path

        let joined = try await Self.runWithDualStackLocalhost(
            ["join", token.text, "--edge", "localhost:\(edge.port)", "--config", config], directory: directory)
        #expect(joined.status == 0, "stderr: \(joined.error)")
        let synced = try await Self.runWithDualStackLocalhost(["sync", "--config", config], directory: directory)
        #expect(synced.status == 0, "stderr: \(synced.error)")
        #expect(synced.output.contains("no forwards are declared"), "stdout: \(synced.output)")
        try await edge.stop()
    }
}
