import Foundation
import TestSupport
import Testing
import Wire

/// `homeagent join` pointed at the wrong thing: each mistake is named in
/// words, and none of them spends the one-time token.
@Suite("homeagent join and status mistakes", .timeLimit(.minutes(2)))
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

    @Test("a mistake in the arguments shows the usage of the command that was run, not the top level, and no type dump")
    func usageOfTheFailingCommand() async throws {
        let token = try JoinToken(host: "127.0.0.1", port: 1, id: Array(repeating: 1, count: 16),
                                  secret: Array(repeating: 2, count: 32), caPin: Array(repeating: 3, count: 32))
        for edge in ["nope", "nope:0", "127.0.0.1:99999"] {
            let run = try await AgentRun.run("homeagent", ["join", token.text, "--edge", edge, "--config", "/nonexistent/x.yaml"])
            #expect(run.status != 0 && run.error.contains("Usage: homeagent join"), "stderr: \(run.error)")
            #expect(!run.error.contains("ParseError"), "stderr: \(run.error)")
        }
        let badToken = try await AgentRun.run("homeagent", ["join", "abc"])
        #expect(badToken.status != 0 && badToken.error.contains("Usage: homeagent join"), "stderr: \(badToken.error)")
        for arguments in [["home", "create", "x", "--ttl", "0"], ["home", "token", "x", "--ttl", "abc"]] {
            let run = try await AgentRun.run("edgeagent", arguments + ["--data-dir", "/nonexistent/portico-edge"])
            #expect(run.status != 0 && run.error.contains("Usage: edgeagent home \(arguments[1])"), "stderr: \(run.error)")
        }
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent"))
    }

    @Test("status before joining says to join first; with a config but no agent, to run it, with the same --config")
    func statusSaysWhatToDoFirst() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-status-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("homeagent.yaml").path
        let unjoined = try await AgentRun.run("homeagent", ["status", "--config", config])
        #expect(unjoined.status == 1 && unjoined.error.contains("homeagent join TOKEN --config \(config)"), "stderr: \(unjoined.error)")
        try "edge: 127.0.0.1:1\n".write(toFile: config, atomically: true, encoding: .utf8)
        let stopped = try await AgentRun.run("homeagent", ["status", "--config", config])
        #expect(stopped.status == 1 && stopped.error.contains("start it with `homeagent run --config \(config)`"), "stderr: \(stopped.error)")
    }
}
