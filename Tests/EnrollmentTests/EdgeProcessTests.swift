import TestSupport
import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import Wire
@testable import EdgeAgent

/// The real binaries end to end: `edgeagent serve`, the admin CLI against its
/// API, `homeagent join`, and a kill -9 in the middle of writes.
@Suite("edgeagent serve, admin CLI and homeagent join as processes", .timeLimit(.minutes(2)))
struct EdgeProcessTests {
    @Test("serve, home create, join: the home is enrolled and active; mistakes get clear errors")
    func createAndJoin() async throws {
        let edge = try EdgeServerProcess()
        defer { edge.removeData() }
        try await edge.waitUntilReady()
        let dataDir = ["--data-dir", edge.directory.path]

        let created = try await AgentRun.run("edgeagent", ["home", "create", "alice", "--ttl", "1h"] + dataDir)
        #expect(created.status == 0, "stderr: \(created.error)")
        let token = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix(JoinToken.prefix) && !token.contains("\n"))
        #expect(try JoinToken.parse(token).port == UInt16(edge.tunnelPort))

        let config = edge.directory.appendingPathComponent("home/homeagent.yaml").path
        let joined = try await AgentRun.run("homeagent", ["join", token, "--config", config])
        #expect(joined.status == 0, "stderr: \(joined.error)")
        // What to do next, ready to copy: with this config, a domain first.
        #expect(joined.output.contains("homeagent domain add example.com --config \(config)"), "\(joined.output)")
        #expect(joined.output.contains("homeagent run --config \(config)"), "\(joined.output)")

        let listed = try await AgentRun.run("edgeagent", ["home", "list", "--json"] + dataDir)
        let homes = try JSONSerialization.jsonObject(with: Data(listed.output.utf8)) as? [String: Any]
        let alice = (homes?["homes"] as? [[String: Any]])?.first { $0["name"] as? String == "alice" }
        #expect(alice?["state"] as? String == "active")

        let duplicate = try await AgentRun.run("edgeagent", ["home", "create", "alice"] + dataDir)
        #expect(duplicate.status != 0 && duplicate.error.contains("already exists"), "stderr: \(duplicate.error)")
        let badName = try await AgentRun.run("edgeagent", ["home", "create", "Bad_Name!"] + dataDir)
        #expect(badName.status != 0 && !badName.error.isEmpty)
        let badTTL = try await AgentRun.run("edgeagent", ["home", "create", "bob", "--ttl", "forever"] + dataDir)
        #expect(badTTL.status != 0 && badTTL.error.contains("--ttl"), "stderr: \(badTTL.error)")

        #expect(await edge.terminate() == 0)
        let offline = try await AgentRun.run("edgeagent", ["home", "list"] + dataDir)
        #expect(offline.status != 0 && offline.error.contains("no edge is running with the data directory"), "stderr: \(offline.error)")
    }

    @Test("a superseded token cannot re-enroll a joined home: home token replaces the first, join refuses it ([ENROLL-8])")
    func supersededTokenCannotTakeOverAJoinedHome() async throws {
        let edge = try EdgeServerProcess()
        defer { edge.removeData() }
        try await edge.waitUntilReady()
        let dataDir = ["--data-dir", edge.directory.path]
        let created = try await AgentRun.run("edgeagent", ["home", "create", "alice"] + dataDir)
        #expect(created.status == 0, "stderr: \(created.error)")
        let first = created.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let reissued = try await AgentRun.run("edgeagent", ["home", "token", "alice"] + dataDir)
        #expect(reissued.status == 0, "stderr: \(reissued.error)")
        let second = reissued.output.trimmingCharacters(in: .whitespacesAndNewlines)

        let config = edge.directory.appendingPathComponent("home/homeagent.yaml").path
        let joined = try await AgentRun.run("homeagent", ["join", second, "--config", config])
        #expect(joined.status == 0, "stderr: \(joined.error)")

        let intruder = edge.directory.appendingPathComponent("intruder/homeagent.yaml").path
        let takeover = try await AgentRun.run("homeagent", ["join", first, "--config", intruder])
        #expect(takeover.status != 0)
        #expect(takeover.error.contains("join token was replaced"), "stderr: \(takeover.error)")
        // The running home's certificate is still the one the edge admits.
        let listed = try await AgentRun.run("homeagent", ["domain", "list", "--config", config])
        #expect(listed.status == 0 && listed.output == "(none)\n", "stdout: \(listed.output) stderr: \(listed.error)")
        #expect(await edge.terminate() == 0)
    }

    @Test("kill -9 during a burst of writes loses no acknowledged change")
    func killNineLosesNothingCommitted() async throws {
        let edge = try EdgeServerProcess()
        defer { edge.removeData() }
        try await edge.waitUntilReady()
        let token = try String(contentsOf: edge.directory.appendingPathComponent("admin.token"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let url = URL(string: "http://127.0.0.1:\(edge.apiPort)/api/homes")!

        // Eight writers create homes as fast as the edge acknowledges them; the
        // edge is killed while they are at it, once some writes went through.
        let count = AcknowledgedCount()
        let acknowledged = try await withThrowingTaskGroup(of: [String].self) { group in
            for writer in 0..<8 {
                group.addTask {
                    var names: [String] = []
                    for index in 0..<400 {
                        let name = "w\(writer)-h\(index)"
                        var request = URLRequest(url: url)
                        request.httpMethod = "POST"
                        request.timeoutInterval = 5
                        request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
                        request.httpBody = Data(#"{"name":"\#(name)"}"#.utf8)
                        guard let (_, response) = try? await URLSession.shared.data(for: request),
                            (response as? HTTPURLResponse)?.statusCode == 201
                        else { break }
                        names.append(name)
                        count.value.add(1, ordering: .relaxed)
                    }
                    return names
                }
            }
            let deadline = ContinuousClock.now + .seconds(30)
            while count.value.load(ordering: .relaxed) < 50, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(5))
            }
            await edge.killHard()
            var all: [String] = []
            for try await names in group { all += names }
            return all
        }
        #expect(acknowledged.count > 0, "no write was acknowledged before the kill")

        // Reopen the database the killed process was writing.
        let registry = try Registry(dataDirectory: edge.directory, publicSuffixList: PublicSuffixList(text: "com\n"))
        let stored = Set(try await registry.homes().map(\.name))
        let missing = acknowledged.filter { !stored.contains($0) }
        #expect(missing.isEmpty, "acknowledged but lost: \(missing.prefix(5))")
        try registry.close()

        // And the edge starts again on the same data.
        let restarted = try EdgeServerProcess(directory: edge.directory)
        try await restarted.waitUntilReady()
        let listed = try await AgentRun.run("edgeagent", ["home", "list", "--json", "--data-dir", edge.directory.path])
        #expect(listed.status == 0, "stderr: \(listed.error)")
        #expect(await restarted.terminate() == 0)
    }
}

/// Writes acknowledged so far, shared by the writer tasks.
final class AcknowledgedCount: Sendable {
    let value = Atomic<Int>(0)
}
