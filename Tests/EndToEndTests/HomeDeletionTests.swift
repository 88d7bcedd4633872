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
    }
}
