import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// A forward whose target does not listen: `homeagent status` says so
    /// (from real connections, and from the periodic check for a quiet
    /// forward), the agent logs why it refused a visitor, and the status goes
    /// back to "answers" once the service listens.
    @Suite("Targets that do not answer", .serialized)
    struct TargetHealthTests {
        /// An edge and alice with one tcp forward "raw" to a port nothing
        /// listens on yet, and `target_check_seconds` as given.
        private static func startAlice(checkSeconds: Int) async throws -> (EdgeServerProcess, String, HomeAgentProcess, Int) {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let target = try FreePorts.one()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["raw", "--type", "tcp", "--target", "127.0.0.1:\(target)"],
            ])
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: config))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data("target_check_seconds: \(checkSeconds)\n".utf8))
            try handle.close()
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            return (edge, config, agent, target)
        }

        private static func health(_ agent: HomeAgentProcess) async throws -> [String: Any]? {
            let forwards = try await agent.status().document?["forwards"] as? [[String: Any]] ?? []
            return forwards.first { $0["name"] as? String == "raw" }?["target_health"] as? [String: Any]
        }

        @Test("a visitor refused for a target that does not listen: logged with the forward, target and reason, counted in status; a visitor after the service started listening puts it back to answers")
        func realConnectionsReportTheTarget() async throws {
            let (edge, config, agent, target) = try await Self.startAlice(checkSeconds: 0)
            let port = try await agent.publicPort(of: "raw")
            #expect(try await Self.health(agent) == nil, "checks are off and nobody connected yet")

            for _ in 0..<2 {
                let reply = try? await PublicClient.exchange(port: port, sending: Array("hello".utf8), timeout: .seconds(10))
                #expect(reply == nil || reply == [], "a refused visitor got bytes back")
            }
            let counted = try await eventually(timeout: .seconds(10)) {
                try await Self.health(agent)?["failures"] as? Int == 2
            }
            let health = try await Self.health(agent)
            #expect(counted, "\(String(describing: health))")
            #expect(health?["state"] as? String == "unreachable")
            #expect(health?["reason"] as? String == "connection refused (nothing is listening there)")
            #expect(health?["last_failure"] is String)
            #expect(agent.log.contains(
                #"forward "raw": could not connect to the forward's target 127.0.0.1:\#(target): connection refused (nothing is listening there); the public connection was refused"#),
                "\(agent.log.suffix(2000))")
            let down = try await AgentRun.run("homeagent", ["status", "--config", config])
            #expect(down.status == 2)
            #expect(down.output.contains(
                "→ 127.0.0.1:\(target) (not answering: connection refused (nothing is listening there); 2 failures, last "),
                "\(down.output)")

            let echo = try await EchoServer(port: target)
            let body = PublicClient.payload(10_000, seed: 41)
            #expect(try await PublicClient.exchange(port: port, sending: body) == body)
            #expect(try await Self.health(agent)?["state"] as? String == "reachable")
            let up = try await AgentRun.run("homeagent", ["status", "--config", config])
            #expect(up.status == 0, "\(up.output)")
            #expect(up.output.contains("→ 127.0.0.1:\(target) (answers)"), "\(up.output)")

            // An out-of-range period is refused at start, naming the key.
            _ = await agent.terminate()
            let text = try String(contentsOfFile: config, encoding: .utf8)
            try text.replacingOccurrences(of: "target_check_seconds: 0", with: "target_check_seconds: 5000")
                .write(toFile: config, atomically: false, encoding: .utf8)
            let refused = try await AgentRun.run("homeagent", ["run", "--config", config])
            #expect(refused.status != 0)
            #expect(refused.error.contains("target_check_seconds must be between 0 (no checks) and 3600, found 5000"),
                    "\(refused.error)")

            _ = await edge.terminate()
            await echo.close()
            edge.removeData()
        }

        @Test("a quiet forward's target is checked periodically: unreachable with no visitor at all, and answers again once the service listens")
        func periodicCheckFindsAQuietTarget() async throws {
            let (edge, _, agent, target) = try await Self.startAlice(checkSeconds: 1)
            let down = try await eventually(timeout: .seconds(15)) {
                try await Self.health(agent)?["state"] as? String == "unreachable"
            }
            let seen = try await Self.health(agent)
            #expect(down, "\(String(describing: seen))")
            #expect(try await Self.health(agent)?["reason"] as? String == "connection refused (nothing is listening there)")
            #expect(agent.log.contains(#"forward "raw" cannot reach its target 127.0.0.1:\#(target)"#), "\(agent.log.suffix(2000))")

            let echo = try await EchoServer(port: target)
            let up = try await eventually(timeout: .seconds(15)) {
                try await Self.health(agent)?["state"] as? String == "reachable"
            }
            let recovered = try await Self.health(agent)
            #expect(up, "\(String(describing: recovered))")
            #expect(agent.log.contains("the forward's target answers again"))

            _ = await agent.terminate()
            _ = await edge.terminate()
            await echo.close()
            edge.removeData()
        }
    }
}
