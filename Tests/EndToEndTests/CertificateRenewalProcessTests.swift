import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Certificate renewal ([CERT-2]) with the shipped binaries: `homeagent
    /// renew` through a running agent, a restart onto the new certificate,
    /// the old one refused afterwards, a lost answer that locks nobody out, and
    /// a renewal a crash interrupted, completed when the agent starts.
    @Suite("Certificate renewal end to end", .serialized)
    struct CertificateRenewalProcessTests {
        static func files(_ config: String) -> (key: String, certificate: String) {
            let directory = URL(fileURLWithPath: config).deletingLastPathComponent()
            return (directory.appendingPathComponent("homeagent.key").path,
                    directory.appendingPathComponent("homeagent.pem").path)
        }

        static func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

        @Test("renew through the running agent, reconnect with the new certificate, then the old one is refused")
        func renewRestartRetire() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge)
            let paths = Self.files(config)
            let oldKey = try Self.read(paths.key)
            let oldCertificate = try Self.read(paths.certificate)
            var agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()

            let renewed = try await AgentRun.run("homeagent", ["renew", "--config", config])
            #expect(renewed.status == 0, "stderr: \(renewed.error)")
            #expect(renewed.output.contains("running agent uses it from its next connection"))
            #expect(try Self.read(paths.certificate) != oldCertificate)
            #expect(try Self.read(paths.key) != oldKey)
            let mode = try FileManager.default.attributesOfItem(atPath: paths.key)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            let status = try await agent.status()
            #expect(status.code == 0, "the session that renewed stays up")
            #expect(status.document?["certificate_expires"] is String)

            // A second renewal within the hour is refused and changes nothing.
            let renewedCertificate = try Self.read(paths.certificate)
            let again = try await AgentRun.run("homeagent", ["renew", "--config", config])
            #expect(again.status != 0)
            #expect(again.error.contains("renewal_too_soon"), "stderr: \(again.error)")
            #expect(try Self.read(paths.certificate) == renewedCertificate)

            _ = await agent.terminate()
            agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            _ = await agent.terminate()

            // The new certificate was used: the old pair is refused now.
            try oldKey.write(to: URL(fileURLWithPath: paths.key))
            try oldCertificate.write(to: URL(fileURLWithPath: paths.certificate))
            let refused = try await AgentRun.run("homeagent", ["sync", "--config", config])
            #expect(refused.status != 0, "the retired certificate still connected: \(refused.output)")
            _ = await edge.terminate()
            edge.removeData()
        }

        @Test("a renewal interrupted with both .renew files written and none renamed is completed by homeagent run, which connects with the new pair")
        func interruptedBeforeRenames() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge)
            let paths = Self.files(config)
            let renewKey = paths.key + ".renew", renewCertificate = paths.certificate + ".renew"
            let files = FileManager.default
            try files.copyItem(atPath: paths.key, toPath: paths.key + ".old")
            try files.copyItem(atPath: paths.certificate, toPath: paths.certificate + ".old")
            let renewed = try await AgentRun.run("homeagent", ["renew", "--config", config])
            #expect(renewed.status == 0, "stderr: \(renewed.error)")
            let newKey = try Self.read(paths.key)
            let newCertificate = try Self.read(paths.certificate)
            // What a crash after both writes and before the first rename leaves.
            try files.moveItem(atPath: paths.key, toPath: renewKey)
            try files.moveItem(atPath: paths.certificate, toPath: renewCertificate)
            try files.moveItem(atPath: paths.key + ".old", toPath: paths.key)
            try files.moveItem(atPath: paths.certificate + ".old", toPath: paths.certificate)
            let oldKey = try Self.read(paths.key)
            let oldCertificate = try Self.read(paths.certificate)

            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            #expect(agent.log.contains("completed an interrupted certificate renewal"), "log: \(agent.log)")
            #expect(try Self.read(paths.key) == newKey)
            #expect(try Self.read(paths.certificate) == newCertificate)
            #expect(!files.fileExists(atPath: renewKey) && !files.fileExists(atPath: renewCertificate))
            let mode = try files.attributesOfItem(atPath: paths.key)[.posixPermissions] as? Int
            #expect(mode == 0o600)
            _ = await agent.terminate()

            // The agent connected with the renewed pair: the edge retired the old one.
            try oldKey.write(to: URL(fileURLWithPath: paths.key))
            try oldCertificate.write(to: URL(fileURLWithPath: paths.certificate))
            let refused = try await AgentRun.run("homeagent", ["sync", "--config", config])
            #expect(refused.status != 0, "the old certificate still connected: \(refused.output)")
            _ = await edge.terminate()
            edge.removeData()
        }

        /// A new enrollment drops the edge's pending certificate ([CERT-2]): the
        /// .renew pair of a renewal interrupted before it must not replace the
        /// pair `join` wrote.
        @Test("join --force removes an interrupted renewal's .renew files, so homeagent run connects with the joined pair")
        func rejoinAfterInterruptedRenewal() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge)
            let paths = Self.files(config)
            let files = FileManager.default
            try files.copyItem(atPath: paths.key, toPath: paths.key + ".old")
            try files.copyItem(atPath: paths.certificate, toPath: paths.certificate + ".old")
            let renewed = try await AgentRun.run("homeagent", ["renew", "--config", config])
            #expect(renewed.status == 0, "stderr: \(renewed.error)")
            // Both .renew files written, none renamed; then the home joins again.
            try files.moveItem(atPath: paths.key, toPath: paths.key + ".renew")
            try files.moveItem(atPath: paths.certificate, toPath: paths.certificate + ".renew")
            try files.moveItem(atPath: paths.key + ".old", toPath: paths.key)
            try files.moveItem(atPath: paths.certificate + ".old", toPath: paths.certificate)

            let token = try await AgentRun.run("edgeagent", ["home", "token", "alice", "--data-dir", edge.directory.path])
            #expect(token.status == 0, "stderr: \(token.error)")
            try await HomeEnrollment.expectSuccess(
                ["join", token.output.trimmingCharacters(in: .whitespacesAndNewlines), "--config", config, "--force"])
            let joinedKey = try Self.read(paths.key)
            #expect(!files.fileExists(atPath: paths.key + ".renew") && !files.fileExists(atPath: paths.certificate + ".renew"))

            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            #expect(try Self.read(paths.key) == joinedKey)
            _ = await agent.terminate()
            _ = await edge.terminate()
            edge.removeData()
        }

        @Test("a home that never stored the renewed certificate keeps connecting with the old one")
        func lostAnswer() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge)
            let paths = Self.files(config)
            let oldKey = try Self.read(paths.key)
            let oldCertificate = try Self.read(paths.certificate)
            let renewed = try await AgentRun.run("homeagent", ["renew", "--config", config])
            #expect(renewed.status == 0, "stderr: \(renewed.error)")
            // As if the answer had been lost: the home still holds the old pair.
            try oldKey.write(to: URL(fileURLWithPath: paths.key))
            try oldCertificate.write(to: URL(fileURLWithPath: paths.certificate))
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            _ = await agent.terminate()
            _ = await edge.terminate()
            edge.removeData()
        }
    }
}
