import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Two homes whose configs sit in one directory stay two homes: `join`
    /// names the credential files after each config, so neither overwrites
    /// the other's key, and both agents run at once without taking each
    /// other's session over (issue 10, defect 2).
    @Suite("Two homes, one config directory", .serialized)
    struct SharedConfigDirectoryTests {
        @Test("two joins into one directory keep two identities, and both agents run at once undisturbed")
        func twoHomesSideBySide() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let directory = edge.directory.appendingPathComponent("homes")
            for (home, domain) in [("alice", "alice-home.com"), ("bob", "bob-home.com")] {
                let created = try await AgentRun.run("edgeagent", ["home", "create", home, "--data-dir", edge.directory.path])
                #expect(created.status == 0, "\(created.error)")
                let config = directory.appendingPathComponent("\(home).yaml").path
                try await HomeEnrollment.expectSuccess(
                    ["join", created.output.trimmingCharacters(in: .whitespacesAndNewlines), "--config", config])
                try await HomeEnrollment.expectSuccess(["domain", "add", domain, "--config", config])
            }
            let files = Set(try FileManager.default.contentsOfDirectory(atPath: directory.path))
            #expect(files.isSuperset(of: ["alice.yaml", "alice.key", "alice.pem", "alice.ca.pem",
                                          "bob.yaml", "bob.key", "bob.pem", "bob.ca.pem"]), "\(files)")
            let keys = ["alice", "bob"].map { try? Data(contentsOf: directory.appendingPathComponent("\($0).key")) }
            #expect(keys[0] != nil && keys[0] != keys[1])

            let agents = try ["alice", "bob"].map {
                try HomeAgentProcess(config: directory.appendingPathComponent("\($0).yaml").path)
            }
            for agent in agents { try await agent.waitUntilHealthy() }
            // Taking over each other's session is a loop of GOAWAYs within milliseconds;
            // a round trip on both and two more seconds without one show it does not happen.
            let since = try await agents.asyncMap { try await Self.field("connected_since", of: $0) }
            #expect(try await eventually(timeout: .seconds(30)) {
                try await agents.asyncAllSatisfy { try await Self.field("rtt_ms", of: $0) != nil }
            })
            try await Task.sleep(for: .seconds(2))
            for (index, agent) in agents.enumerated() {
                #expect(try await Self.field("state", of: agent) == "connected")
                #expect(try await Self.field("connected_since", of: agent) == since[index])
                #expect(!agent.log.contains("going away") && !agent.log.contains("session to edge lost"), "\(agent.log)")
            }
            // Each config claimed its domain for its own home.
            for (home, domain) in [("alice", "alice-home.com"), ("bob", "bob-home.com")] {
                let listed = try await AgentRun.run(
                    "homeagent", ["domain", "list", "--config", directory.appendingPathComponent("\(home).yaml").path])
                #expect(listed.output == "\(domain)\n", "\(home): \(listed.output) \(listed.error)")
            }
            for agent in agents { _ = await agent.terminate() }
            _ = await edge.terminate()
            edge.removeData()
        }

        /// A field of the agent's status document as text; nil when absent or null.
        static func field(_ key: String, of agent: HomeAgentProcess) async throws -> String? {
            guard let value = try await agent.status().document?[key], !(value is NSNull) else { return nil }
            return "\(value)"
        }
    }
}

extension Array {
    fileprivate func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }

    fileprivate func asyncAllSatisfy(_ predicate: (Element) async throws -> Bool) async rethrows -> Bool {
        for element in self where try await !predicate(element) { return false }
        return true
    }
}
