import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Deleting a home ends its session with a GOAWAY saying why, which the
    /// home agent logs (issue 10, defect 12).
    @Suite("Home deletion end to end", .serialized)
    struct HomeDeletionTests {
        @Test("a deleted home's agent logs that the edge operator deleted it")
        func deletedHomeLearnsWhy() async throws {
            let world = try await EchoHome.start()
            let deleted = try await AgentRun.run(
                "edgeagent", ["home", "delete", "alice", "--data-dir", world.edge.directory.path])
            #expect(deleted.status == 0, "stderr: \(deleted.error)")
            let reason = "home deleted by the edge operator"
            let logged = try await eventually(timeout: .seconds(20)) { world.agent.log.contains(reason) }
            #expect(logged, "log: \(world.agent.log.suffix(2000))")
            #expect(world.agent.isRunning)
            await world.stop()
        }

        @Test("a deleted home's agent stops knocking: status says refused, lists no public address and retries in minutes; after a new join and a sync it is back at once")
        func deletedHomeIsRefusedUntilItJoinsAgain() async throws {
            let world = try await EchoHome.start()
            let dataDir = ["--data-dir", world.edge.directory.path]
            let deleted = try await AgentRun.run("edgeagent", ["home", "delete", "alice"] + dataDir)
            #expect(deleted.status == 0, "stderr: \(deleted.error)")
            let refused = try await eventually(timeout: .seconds(30)) {
                try await world.agent.status().document?["state"] as? String == "refused"
            }
            let document = try await world.agent.status().document
            #expect(refused, "status: \(String(describing: document)); log: \(world.agent.log.suffix(2000))")
            let forwards = document?["forwards"] as? [[String: Any]] ?? []
            #expect(!forwards.isEmpty && forwards.allSatisfy { $0["public_address"] == nil || $0["public_address"] is NSNull }, "\(forwards)")
            #expect((document?["last_error"] as? String)?.contains("no longer accepts this home") == true)
            let retry = (document?["retry_at"] as? String).flatMap { try? Date($0, strategy: .iso8601) }
            #expect(retry.map { $0.timeIntervalSinceNow > 20 } == true, "retry at \(String(describing: retry))")
            let (code, _) = try await world.agent.status()
            #expect(code != 0, "a refused home reports healthy")

            // The operator creates the home again; it joins with the new token and syncs.
            let created = try await AgentRun.run("edgeagent", ["home", "create", "alice"] + dataDir)
            #expect(created.status == 0, "stderr: \(created.error)")
            let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
            try await HomeEnrollment.expectSuccess(["join", token, "--force", "--config", world.config])
            _ = try await AgentRun.run("homeagent", ["sync", "--config", world.config])
            #expect(try await eventually(timeout: .seconds(10)) {
                try await world.agent.status().document?["state"] as? String == "connected"
            }, "not back at once after the sync: \(world.agent.log.suffix(2000))")
            // Deleting the home released its domain; claimed again, every forward is placed.
            try await HomeEnrollment.expectSuccess(["domain", "add", EchoHome.domain, "--config", world.config])
            try await world.agent.waitUntilHealthy(timeout: .seconds(20))
            await world.stop()
        }
    }
}
