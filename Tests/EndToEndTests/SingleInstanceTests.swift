import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// One edge per data directory and one agent per home (issue 11's
    /// review, issue 12): a second one refuses to start and names the
    /// first, instead of serving beside it. The admin commands find the
    /// running edge, and say so plainly when none runs.
    @Suite("One agent per data", .serialized)
    struct SingleInstanceTests {
        /// An edge, and home alice joined to it with its agent running and healthy.
        static func aliceAtHome() async throws -> (EdgeServerProcess, config: String, HomeAgentProcess) {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge)
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            return (edge, config, agent)
        }

        @Test("a second serve on the same data directory refuses to start and names the first, which keeps its ports file and serves on")
        func secondEdgeRefused() async throws {
            let edge = try EdgeServerProcess()
            defer { edge.removeData() }
            try await edge.waitUntilReady()
            let runtime = edge.directory.appendingPathComponent("edge.runtime.json")
            let before = try Data(contentsOf: runtime)
            let otherPorts = try FreePorts.range(count: 5)
            let second = try await AgentRun.run("edgeagent", [
                "serve", "--data-dir", edge.directory.path, "--bind", "127.0.0.1", "--https-port", "0",
                "--http-port", "0", "--tunnel-port", "0", "--api-port", "0",
                "--tcp-ports", "\(otherPorts.lowerBound)-\(otherPorts.upperBound)",
            ])
            #expect(second.status != 0)
            #expect(
                second.error.contains(
                    "another process (pid \(edge.pid)) is already using the data directory \(edge.directory.path): stop that edge first"),
                "stderr: \(second.error)")
            #expect(try Data(contentsOf: runtime) == before, "the second edge touched the first's ports file")
            let list = try await AgentRun.run("edgeagent", ["home", "list", "--data-dir", edge.directory.path])
            #expect(list.status == 0, "\(list.error)")
            #expect(await edge.terminate() == 0)
        }

        @Test("an explicit --api-port wins over the ports file; after a stop the file is gone and admin commands say no edge runs")
        func adminCommandsFindTheRunningEdge() async throws {
            let edge = try EdgeServerProcess()
            defer { edge.removeData() }
            try await edge.waitUntilReady()
            let directory = edge.directory.path
            let runtime = edge.directory.appendingPathComponent("edge.runtime.json")
            // A ports file pointing nowhere: only the flag can reach the edge.
            try Data(#"{"api_port":1,"tunnel_port":1}"#.utf8).write(to: runtime)
            let misled = try await AgentRun.run("edgeagent", ["home", "list", "--data-dir", directory])
            #expect(misled.status != 0 && misled.error.contains("127.0.0.1:1"), "stderr: \(misled.error)")
            let explicit = try await AgentRun.run(
                "edgeagent", ["home", "list", "--data-dir", directory, "--api-port", "\(edge.apiPort)"])
            #expect(explicit.status == 0, "stderr: \(explicit.error)")

            #expect(await edge.terminate() == 0)
            #expect(!FileManager.default.fileExists(atPath: runtime.path), "edge.runtime.json outlived the edge")
            let stopped = try await AgentRun.run("edgeagent", ["home", "list", "--data-dir", directory])
            #expect(stopped.status != 0)
            #expect(
                stopped.error.contains("no edge is running with the data directory \(directory): start it with `edgeagent serve --data-dir \(directory)`"),
                "stderr: \(stopped.error)")
        }

        @Test("an edge killed with SIGKILL leaves no lock behind: the next serve on its data starts")
        func killedEdgeLeavesNoLock() async throws {
            let edge = try EdgeServerProcess()
            defer { edge.removeData() }
            try await edge.waitUntilReady()
            await edge.killHard()
            let next = try EdgeServerProcess(directory: edge.directory)
            try await next.waitUntilReady()
            #expect(await next.terminate() == 0)
        }

        @Test("a second homeagent run for the same home, through a copy of its config, refuses to start and names the first")
        func secondHomeAgentRefused() async throws {
            let (edge, config, agent) = try await Self.aliceAtHome()
            defer { edge.removeData() }
            let copy = URL(fileURLWithPath: config).deletingLastPathComponent().appendingPathComponent("copy.yaml").path
            try FileManager.default.copyItem(atPath: config, toPath: copy)
            let second = try await AgentRun.run("homeagent", ["run", "--config", copy])
            #expect(second.status != 0)
            #expect(
                second.error.contains("another process (pid \(agent.pid)) is already using the identity of home alice"),
                "stderr: \(second.error)")
            let (code, _) = try await agent.status()
            #expect(code == 0, "the first agent is no longer healthy: \(agent.log.suffix(2000))")
            #expect(await agent.terminate() == 0)
            #expect(await edge.terminate() == 0)
        }

        @Test("a copy of a home's key in another directory is not caught by the lock: the two agents take the session from each other ever more slowly, say why, and the survivor is healthy again once the copy stops")
        func copiedIdentityBacksOff() async throws {
            let (edge, config, agent) = try await Self.aliceAtHome()
            defer { edge.removeData() }
            // The whole directory elsewhere: another lock file, the same identity.
            let original = URL(fileURLWithPath: config).deletingLastPathComponent()
            let elsewhere = edge.directory.appendingPathComponent("restored-backup")
            try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: original.path)
            where !name.hasSuffix(".sock") && !name.hasSuffix(".lock") {
                try FileManager.default.copyItem(at: original.appendingPathComponent(name), to: elsewhere.appendingPathComponent(name))
            }
            let copy = try HomeAgentProcess(config: elsewhere.appendingPathComponent("homeagent.yaml").path)
            let sessionsBefore = edge.log.components(separatedBy: "home connected").count
            try await Task.sleep(for: .seconds(8))
            let sessions = edge.log.components(separatedBy: "home connected").count - sessionsBefore
            // Without backing off they replaced each other hundreds of times in 8 s.
            #expect(sessions <= 12, "\(sessions) sessions of alice in 8 s")
            let warned = [agent.log, copy.log].contains { $0.contains("is another agent running with this home's key") }
            #expect(warned, "neither agent said why: \(agent.log.suffix(1500))")

            #expect(await copy.terminate() == 0)
            try await agent.waitUntilHealthy(timeout: .seconds(30))
            #expect(await agent.terminate() == 0)
            #expect(await edge.terminate() == 0)
        }
    }
}
