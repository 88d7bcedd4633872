import Foundation
import Testing
import TestSupport

/// What a newcomer reads when a first step is missing (issue 12): each
/// message says what to do, run through the real binaries.
@Suite("First-run messages")
struct FirstRunMessageTests {
    @Test("homeagent run, status and expose with no config say to join first")
    func noConfigSaysJoinFirst() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("portico-none-\(UUID().uuidString).yaml").path
        for arguments in [["run"], ["expose", "web", "--type", "tcp", "--target", "127.0.0.1:22"], ["sync"]] {
            let run = try await AgentRun.run("homeagent", arguments + ["--config", path])
            #expect(run.status != 0)
            #expect(
                run.error.contains("Error: no config at \(path): join an edge first with `homeagent join TOKEN`"),
                "\(arguments): \(run.error)")
        }
    }

    @Test("help texts say what the programs do today, with examples that fit a terminal")
    func helpIsCurrent() async throws {
        let edge = try await AgentRun.run("edgeagent", ["--help"])
        #expect(edge.output.contains("TLS by SNI") && !edge.output.contains("comes with"), "\(edge.output)")
        let expose = try await AgentRun.run("homeagent", ["expose", "--help"])
        #expect(!expose.output.contains("coming next"))
        for line in expose.output.split(separator: "\n") where line.hasPrefix("  homeagent expose") {
            #expect(line.count <= 80, "example wider than a terminal: \(line)")
        }
    }
}
