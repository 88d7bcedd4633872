import Foundation
import TestSupport
import Testing

/// `homeagent join` pointed at the wrong thing: each mistake is named in
/// words, and none of them spends the one-time token.
@Suite("homeagent join mistakes", .timeLimit(.minutes(2)))
struct JoinMistakeTests {
    @Test("another port of the edge, or a directory join cannot write, is named, and the token still joins afterwards")
    func mistakesLeaveTheTokenUnspent() async throws {
        let edge = try EdgeServerProcess()
        defer { edge.removeData() }
        try await edge.waitUntilReady()
        let created = try await AgentRun.run("edgeagent", ["home", "create", "alice", "--data-dir", edge.directory.path])
        #expect(created.status == 0, "stderr: \(created.error)")
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        // Not there yet: a failed join must not leave the directory behind.
        let config = edge.directory.appendingPathComponent("home/homeagent.yaml").path

        // The admin API speaks plain HTTP; the public TLS port wants a name it routes.
        let api = try await AgentRun.run("homeagent", ["join", token, "--edge", "127.0.0.1:\(edge.ports.api)", "--config", config])
        #expect(api.status != 0 && api.error.contains("does not speak TLS"), "stderr: \(api.error)")
        #expect(api.error.contains("tunnel port"), "stderr: \(api.error)")
        let publicTLS = try await AgentRun.run("homeagent", ["join", token, "--edge", "127.0.0.1:\(edge.ports.https)", "--config", config])
        #expect(publicTLS.status != 0 && publicTLS.error.contains("only for names it knows"), "stderr: \(publicTLS.error)")
        for run in [api, publicTLS] {
            #expect(!run.error.contains("error:0A"), "OpenSSL's code reached the user: \(run.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: edge.directory.appendingPathComponent("home").path))

        // /proc takes no directories, whoever runs the test (root included).
        let unwritable = try await AgentRun.run("homeagent", ["join", token, "--config", "/proc/portico-join-test/homeagent.yaml"])
        #expect(unwritable.status != 0 && unwritable.error.contains("cannot create a directory in /proc"),
                "stderr: \(unwritable.error)")
        #expect(unwritable.error.contains("sudo -u portico"), "stderr: \(unwritable.error)")

        let joined = try await AgentRun.run("homeagent", ["join", token, "--config", config])
        #expect(joined.status == 0, "the token was spent by a mistake: \(joined.error)")
        #expect(await edge.terminate() == 0)
    }
}
