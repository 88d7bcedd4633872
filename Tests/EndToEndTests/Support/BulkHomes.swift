import Foundation
import TestSupport

/// An edge with homes whose one TCP forward, `bulk`, leads to a bulk service
/// of their own: the bench for bandwidth limits. Limits are set and read
/// with the real admin CLI.
final class BulkHomes: @unchecked Sendable {
    // @unchecked: fields are set once in `start` and then only read.

    struct Home {
        let name: String
        let service: BulkServer
        let agent: HomeAgentProcess
        /// The public port of the home's `bulk` forward.
        let port: Int
    }

    private(set) var edge: EdgeServerProcess
    let homes: [String: Home]

    private init(edge: EdgeServerProcess, homes: [String: Home]) {
        self.edge = edge
        self.homes = homes
    }

    static func start(_ names: [String]) async throws -> BulkHomes {
        let edge = try EdgeServerProcess()
        try await edge.waitUntilReady()
        var homes: [String: Home] = [:]
        for name in names {
            let service = try await BulkServer()
            let config = try await HomeEnrollment.enroll(name, at: edge, forwards: [
                ["bulk", "--type", "tcp", "--target", "127.0.0.1:\(service.port)"],
            ])
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            let port = try await agent.publicPort(of: "bulk")
            homes[name] = Home(name: name, service: service, agent: agent, port: port)
        }
        return BulkHomes(edge: edge, homes: homes)
    }

    subscript(name: String) -> Home { homes[name]! }

    /// `edgeagent <arguments>` against this edge; fails the test on a non-zero exit.
    @discardableResult
    func admin(_ arguments: [String]) async throws -> String {
        let run = try await AgentRun.run("edgeagent", arguments + ["--data-dir", edge.directory.path])
        guard run.status == 0 else { throw EdgeServerFailure("edgeagent \(arguments.joined(separator: " ")): \(run.error)") }
        return run.output
    }

    /// The home as `edgeagent home show --json` prints it.
    func show(_ name: String) async throws -> [String: Any] {
        let output = try await admin(["home", "show", name, "--json"])
        return try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any] ?? [:]
    }

    /// `GET /metrics` with the admin token, as Prometheus would scrape it.
    func metrics() async throws -> String {
        try await edge.metrics()
    }

    /// Stops the edge and starts it again on the same data and ports.
    func restartEdge() async throws {
        _ = await edge.terminate()
        edge = try EdgeServerProcess.restarting(edge)
        try await edge.waitUntilReady()
    }

    func stop() async {
        for home in homes.values {
            _ = await home.agent.terminate()
            await home.service.close()
        }
        _ = await edge.terminate()
        edge.removeData()
    }
}
