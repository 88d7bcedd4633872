import TestSupport
import Foundation

/// A real `edgeagent serve` on loopback with one home created and joined
/// (`edgeagent home create`, `homeagent join`) into a config in a temp
/// directory: the starting point of every `homeagent` command test.
final class HomeCLIFixture {
    let edge: EdgeServerProcess
    let home: String
    let config: String

    /// `edgeArguments` are added to `edgeagent serve`'s.
    init(home: String = "alice", edgeArguments: [String] = []) async throws {
        self.home = home
        edge = try EdgeServerProcess(arguments: edgeArguments)
        config = edge.directory.appendingPathComponent("home/homeagent.yaml").path
        try await edge.waitUntilReady()
        let created = try await edgeagent(["home", "create", home])
        guard created.status == 0 else { throw EdgeServerFailure("home create failed: \(created.error)") }
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let joined = try await AgentRun.run("homeagent", ["join", token, "--config", config])
        guard joined.status == 0 else { throw EdgeServerFailure("join failed: \(joined.error)") }
    }

    /// `homeagent ARGS --config <this home's config>`, bounded in time.
    func homeagent(_ arguments: [String]) async throws -> AgentRun {
        try await AgentRun.run("homeagent", arguments + ["--config", config])
    }

    /// `edgeagent ARGS --data-dir <the edge's data>`, bounded in time.
    func edgeagent(_ arguments: [String]) async throws -> AgentRun {
        try await AgentRun.run("edgeagent", arguments + ["--data-dir", edge.directory.path])
    }

    /// The config file's bytes, to prove a refused edit changed nothing.
    func configBytes() throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: config))
    }

    /// Stops the edge by PID and removes its data (and the home's files in it).
    func stop() async {
        _ = await edge.terminate()
        edge.removeData()
    }
}
