import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// `edgeagent home disable/enable` with a real home agent: the session
    /// ends, the public ports stop answering, the agent is refused, and
    /// enabling brings it all back at the same address.
    @Suite("Home disable and enable end to end", .serialized)
    struct HomeDisableTests {
        @Test("a disabled home's session ends, its TCP port stops answering and its agent shows refused; enabled, it is back on the same port")
        func disableAndEnable() async throws {
            let world = try await EchoHome.start()
            let dataDir = ["--data-dir", world.edge.directory.path]
            let hello = Array("hello".utf8)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: hello) == hello)

            let disabled = try await AgentRun.run("edgeagent", ["home", "disable", "alice"] + dataDir)
            #expect(disabled.status == 0 && disabled.output == "alice: disabled\n", "\(disabled.output) \(disabled.error)")
            #expect(try await eventually(timeout: .seconds(20)) { world.agent.log.contains("home disabled by the edge operator") },
                    "log: \(world.agent.log.suffix(2000))")
            let refused = try await eventually(timeout: .seconds(30)) {
                try await world.agent.status().document?["state"] as? String == "refused"
            }
            let document = try await world.agent.status().document
            #expect(refused, "status: \(String(describing: document)); log: \(world.agent.log.suffix(2000))")
            #expect((document?["last_error"] as? String)?.contains("edgeagent home enable alice") == true, "\(String(describing: document))")
            // Nothing answers on the home's TCP port any more; the route table is empty.
            let closed = try await eventually(timeout: .seconds(10)) {
                (try? await PublicClient.exchange(port: world.tcpPort, sending: hello, timeout: .seconds(2))) ?? [] == []
            }
            #expect(closed, "the disabled home's TCP port still answers")
            let routes = try await AgentRun.run("edgeagent", ["route", "list"] + dataDir)
            #expect(routes.output.hasPrefix("no routes yet"), "\(routes.output) \(routes.error)")
            let listed = try await AgentRun.run("edgeagent", ["home", "list"] + dataDir)
            #expect(listed.output.split(separator: "\n").contains { $0.hasPrefix("alice") && $0.contains("disabled") }, "\(listed.output)")

            let enabled = try await AgentRun.run("edgeagent", ["home", "enable", "alice"] + dataDir)
            #expect(enabled.status == 0 && enabled.output == "alice: enabled (active)\n", "\(enabled.output) \(enabled.error)")
            // The agent waits up to an hour after a refusal; a sync makes it try at once.
            // It waits for the new session and prints the addresses, rather than
            // reporting the refusal the agent was in when asked.
            let synced = try await AgentRun.run("homeagent", ["sync", "--config", world.config])
            #expect(synced.status == 0 && synced.output.contains("raw"), "\(synced.output) \(synced.error)")
            try await world.agent.waitUntilHealthy(timeout: .seconds(20))
            #expect(try await world.agent.publicPort(of: "raw") == world.tcpPort)
            let back = try await eventually(timeout: .seconds(10)) {
                (try? await PublicClient.exchange(port: world.tcpPort, sending: hello, timeout: .seconds(2))) == hello
            }
            #expect(back, "the enabled home's TCP port does not answer")
            await world.stop()
        }

        @Test("disable and enable name a home that does not exist")
        func unknownHome() async throws {
            let edge = try EdgeServerProcess()
            defer { edge.removeData() }
            try await edge.waitUntilReady()
            for action in ["disable", "enable"] {
                let result = try await AgentRun.run("edgeagent", ["home", action, "nobody", "--data-dir", edge.directory.path])
                #expect(result.status != 0 && result.error.contains("There is no home named 'nobody'"), "\(result.error)")
            }
            #expect(await edge.terminate() == 0)
        }
    }
}
