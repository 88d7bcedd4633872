import TestSupport
import Foundation
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// `homeagent join` into a directory other configs share, and what `run`
/// and the one-shot commands do with a certificate that is another home's
/// (issue 10, defect 2). The real binary against a real edge on loopback.
@Suite("join into a shared directory", .timeLimit(.minutes(1)))
struct JoinSharedDirectoryTests {
    static func join(_ home: String, edge: EdgeFixture, config: String) async throws -> AgentRun {
        _ = try await edge.registry.createHome(name: home, now: Date())
        return try await AgentRun.run("homeagent", ["join", try await edge.token(for: home).text, "--config", config])
    }

    @Test("each config gets key, certificate and CA named after it, for its own home")
    func filesAreNamedAfterTheConfig() async throws {
        let edge = try await EdgeFixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-shared-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for home in ["alice", "bob"] {
            let joined = try await Self.join(home, edge: edge, config: directory.appendingPathComponent("\(home).yaml").path)
            #expect(joined.status == 0, "\(joined.error)")
        }
        for home in ["alice", "bob"] {
            let config = try HomeConfigFile.load(path: directory.appendingPathComponent("\(home).yaml").path)
            #expect(config.home == home)
            #expect([config.key, config.certificate, config.ca] == ["\(home).key", "\(home).pem", "\(home).ca.pem"])
            let credentials = try HomeCredentials.load(for: config, configPath: directory.appendingPathComponent("\(home).yaml").path)
            #expect(credentials.certificate.subjectCommonName == home)
            #expect(try await edge.registry.home(named: home)?.certificateSHA256
                    == SHA256.hex(credentials.certificate.fingerprintSHA256))
            #expect(credentials.caPin == edge.authority.caPin)
        }
        #expect(try String(contentsOf: directory.appendingPathComponent("alice.key"), encoding: .utf8)
                != String(contentsOf: directory.appendingPathComponent("bob.key"), encoding: .utf8))
        try await edge.stop()
    }

    @Test("join refuses to overwrite credential files its config does not name, before spending the token")
    func joinRefusesAnotherConfigsFiles() async throws {
        let edge = try await EdgeFixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-shared-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let stray = directory.appendingPathComponent("carol.key")
        try Data("someone's key".utf8).write(to: stray)
        _ = try await edge.registry.createHome(name: "carol", now: Date())
        let token = try await edge.token(for: "carol")
        let config = directory.appendingPathComponent("carol.yaml").path
        let refused = try await AgentRun.run("homeagent", ["join", token.text, "--config", config])
        #expect(refused.status != 0)
        #expect(refused.error.contains("\(stray.path) already exists and \(config) does not name it"), "\(refused.error)")
        #expect(try String(contentsOf: stray, encoding: .utf8) == "someone's key")
        try FileManager.default.removeItem(at: stray)
        let joined = try await AgentRun.run("homeagent", ["join", token.text, "--config", config])
        #expect(joined.status == 0, "the refused join spent the token: \(joined.error)")
        // Joining again over its own files (--force) is allowed; only the token is spent.
        let again = try await AgentRun.run("homeagent", ["join", try await edge.token(for: "carol").text, "--config", config, "--force"])
        #expect(again.status == 0, "\(again.error)")
        try await edge.stop()
    }

    @Test("run, sync and domain refuse a config whose certificate names another home, saying what to do")
    func anotherHomesCertificateIsRefused() async throws {
        let edge = try await EdgeFixture()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-shared-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        for home in ["alice", "bob"] {
            let joined = try await Self.join(home, edge: edge, config: directory.appendingPathComponent("\(home).yaml").path)
            #expect(joined.status == 0, "\(joined.error)")
        }
        // What an older homeagent left behind: alice's config naming the files bob's join wrote.
        let path = directory.appendingPathComponent("alice.yaml").path
        var config = try HomeConfigFile.load(path: path)
        config.key = "bob.key"
        config.certificate = "bob.pem"
        try HomeConfigFile.save(config, to: path)
        for command in [["run"], ["sync"], ["domain", "list"]] {
            let started = ContinuousClock.now
            let refused = try await AgentRun.run("homeagent", command + ["--config", path], timeout: .seconds(15))
            #expect(refused.status == 1, "\(command): status \(refused.status)")
            #expect(refused.error.contains("is home \"bob\"'s, but \(path) is for home \"alice\""), "\(command): \(refused.error)")
            #expect(refused.error.contains("edgeagent home token alice"))
            #expect(ContinuousClock.now - started < .seconds(15), "\(command) did not stop by itself")
        }
        try await edge.stop()
    }
}
