import Foundation
import TestSupport

/// Enrolls a home at a running edge the way a user does, with the real
/// CLIs: `edgeagent home create`, `homeagent join`, `domain add`, `expose`.
enum HomeEnrollment {
    /// Returns the home's config path (inside the edge's temp directory).
    static func enroll(
        _ name: String, at edge: EdgeServerProcess, domain: String? = nil, forwards: [[String]] = []
    ) async throws -> String {
        let config = edge.directory.appendingPathComponent("homes/\(name)/homeagent.yaml").path
        let created = try await AgentRun.run("edgeagent", ["home", "create", name, "--data-dir", edge.directory.path])
        guard created.status == 0 else { throw EdgeServerFailure("home create \(name): \(created.error)") }
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        try await expectSuccess(["join", token, "--config", config])
        if let domain { try await expectSuccess(["domain", "add", domain, "--config", config]) }
        for forward in forwards {
            try await expectSuccess(["expose"] + forward + ["--no-sync", "--config", config])
        }
        return config
    }

    static func expectSuccess(_ arguments: [String]) async throws {
        let run = try await AgentRun.run("homeagent", arguments)
        guard run.status == 0 else {
            throw EdgeServerFailure("homeagent \(arguments.prefix(2).joined(separator: " ")) failed: \(run.error)\(run.output)")
        }
    }
}
