import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// `homeagent expose NAME --type tcp --port N` ([CTRL-7], frp's
    /// `remote_port`), with the real binaries: the port is given, kept across
    /// an edge restart, and refused with the reason when it is outside the
    /// range or another home's.
    @Suite("A fixed public TCP port", .serialized)
    struct FixedPortTests {
        @Test("--port is given and survives an edge restart; outside the range or taken by another home it is refused, with the reason in expose's output and status")
        func requestedPortGrantedKeptAndRefused() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let echo = try await EchoServer()
            let requested = edge.tcpPorts.lowerBound + 7
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["ssh", "--type", "tcp", "--target", "127.0.0.1:\(echo.port)", "--port", "\(requested)"],
            ])
            #expect(try String(contentsOfFile: config, encoding: .utf8).contains("port: \(requested)"))
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            #expect(try await agent.publicPort(of: "ssh") == requested)
            let body = PublicClient.payload(50_000, seed: 31)
            #expect(try await PublicClient.exchange(port: requested, sending: body) == body)

            // Another home asks for the same port: refused, without naming alice.
            let bob = try await HomeEnrollment.enroll("bob", at: edge)
            let taken = try await AgentRun.run("homeagent", [
                "expose", "ssh", "--type", "tcp", "--target", "127.0.0.1:22", "--port", "\(requested)", "--config", bob,
            ])
            #expect(taken.status == 1, "\(taken.output)\(taken.error)")
            #expect(taken.output.contains("Port \(requested) is taken by another home's forward"), "\(taken.output)")
            #expect(taken.output.contains("(port_in_use)") && !taken.output.contains("alice"), "\(taken.output)")

            // Outside the range, through the running agent: expose and status both say why.
            let outside = edge.tcpPorts.upperBound + 1
            let far = try await AgentRun.run("homeagent", [
                "expose", "far", "--type", "tcp", "--target", "127.0.0.1:22", "--port", "\(outside)", "--config", config,
            ])
            let range = "\(edge.tcpPorts.lowerBound)-\(edge.tcpPorts.upperBound)"
            #expect(far.status == 1, "\(far.output)\(far.error)")
            #expect(far.output.contains("Port \(outside) is outside the edge's TCP range \(range)"), "\(far.output)")
            let status = try await AgentRun.run("homeagent", ["status", "--config", config])
            #expect(status.status == 2)
            #expect(status.output.contains("far  tcp    error: Port \(outside) is outside the edge's TCP range \(range)"), "\(status.output)")
            #expect(try await AgentRun.run("homeagent", ["unexpose", "far", "--config", config]).status == 0)

            // Asked twice in one config: refused before anything is saved.
            let twice = try await AgentRun.run("homeagent", [
                "expose", "ssh2", "--type", "tcp", "--target", "127.0.0.1:22", "--port", "\(requested)", "--config", config,
            ])
            #expect(twice.status != 0)
            #expect(twice.error.contains(#"port \#(requested) is already asked for by forwards[0] "ssh""#), "\(twice.error)")
            // A port this home's forward got without asking: the edge's message names that forward.
            let auto = try await AgentRun.run("homeagent", [
                "expose", "auto", "--type", "tcp", "--target", "127.0.0.1:22", "--config", config,
            ])
            #expect(auto.status == 0, "\(auto.output)\(auto.error)")
            let autoPort = try await agent.publicPort(of: "auto")
            let own = try await AgentRun.run("homeagent", [
                "expose", "want", "--type", "tcp", "--target", "127.0.0.1:22", "--port", "\(autoPort)", "--config", config,
            ])
            #expect(own.status == 1)
            #expect(own.output.contains("Port \(autoPort) is taken by this home's forward 'auto'"), "\(own.output)")
            #expect(try await AgentRun.run("homeagent", ["unexpose", "want", "--config", config]).status == 0)
            #expect(try await AgentRun.run("homeagent", ["unexpose", "auto", "--config", config]).status == 0)
            let onHTTP = try await AgentRun.run("homeagent", [
                "expose", "web", "--type", "http", "--hostname", "a.example.com", "--target", "127.0.0.1:80",
                "--port", "\(requested)", "--config", config,
            ])
            #expect(onHTTP.status != 0)
            #expect(onHTTP.error.contains("--port is only for --type tcp (http forwards are reached by their --hostname)"),
                    "\(onHTTP.error)")

            // The edge restarts: the forward is on the same port and works.
            _ = await edge.terminate()
            let restarted = try EdgeServerProcess.restarting(edge)
            try await restarted.waitUntilReady()
            let back = try await eventually(timeout: .seconds(30)) {
                (try? await PublicClient.exchange(port: requested, sending: body, timeout: .seconds(5))) == body
            }
            #expect(back, "the forward did not answer on \(requested) after the restart: \(agent.log.suffix(1500))")
            #expect(try await agent.publicPort(of: "ssh") == requested)

            _ = await agent.terminate()
            _ = await restarted.terminate()
            await echo.close()
            edge.removeData()
        }
    }
}
