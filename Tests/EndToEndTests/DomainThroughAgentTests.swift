import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// `homeagent domain` while the agent runs: the CLI must go through the
    /// agent's control socket, since a session of its own would take the
    /// running one's place at the edge.
    @Suite("homeagent domain through a running agent", .serialized)
    struct DomainThroughAgentTests {
        @Test("domain list, add and remove go through the running agent, whose session stays up")
        func throughTheAgent() async throws {
            let world = try await EchoHome.start()
            func homeagent(_ arguments: [String]) async throws -> AgentRun {
                try await AgentRun.run("homeagent", arguments + ["--config", world.config])
            }

            let listed = try await homeagent(["domain", "list"])
            #expect(listed.status == 0, "\(listed.error)")
            #expect(listed.output == "\(EchoHome.domain)\n")

            let added = try await homeagent(["domain", "add", "alice-too.org"])
            #expect(added.status == 0, "\(added.error)")
            #expect(added.output == "added alice-too.org\ndomains: \(EchoHome.domain) alice-too.org\n")
            let json = try await homeagent(["domain", "list", "--json"])
            #expect(json.output == #"{"domains":["\#(EchoHome.domain)","alice-too.org"]}"# + "\n")

            let refused = try await homeagent(["domain", "remove", EchoHome.domain])
            #expect(refused.status == 1)
            #expect(refused.error.contains("(domain_in_use)"), "\(refused.error)")
            #expect(try await homeagent(["domain", "remove", "alice-too.org"]).status == 0)
            #expect(try await homeagent(["domain", "list"]).output == "\(EchoHome.domain)\n")

            // Still the first session: no takeover, no reconnect, and it carries traffic.
            #expect(!world.agent.log.contains("session to edge lost"), "\(world.agent.log)")
            #expect(try await world.agent.status().document?["state"] as? String == "connected")
            let body = PublicClient.payload(5_000, seed: 41)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            await world.stop()
        }
    }
}
