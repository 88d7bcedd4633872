import Foundation
import TestSupport

extension EdgeServerProcess {
    /// `GET /metrics` with the admin token, as Prometheus would scrape it.
    func metrics() async throws -> String {
        let token = try String(contentsOf: directory.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let run = try await AgentRun.tool("/usr/bin/curl", [
            "-sS", "--max-time", "10", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(apiPort)/metrics",
        ])
        return run.output
    }
}
