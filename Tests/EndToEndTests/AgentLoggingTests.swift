import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// `--log-level` and `--log-format`, the same flags for both agents,
    /// read by the one logging bootstrap each process runs.
    @Suite("Agent logging flags", .serialized)
    struct AgentLoggingTests {
        @Test("--log-format json: every line edgeagent serve and homeagent run write is one JSON object")
        func jsonForBothAgents() async throws {
            let edge = try EdgeServerProcess(arguments: ["--log-format", "json"])
            defer { edge.removeData() }
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge)
            let home = try HomeAgentProcess(config: config, arguments: ["--log-format", "json"])
            try await home.waitUntilHealthy()
            _ = await home.terminate()
            #expect(await edge.terminate() == 0)

            for (agent, log, expected) in [("edgeagent", edge.log, "edge ready"), ("homeagent", home.log, "connected to edge")] {
                let records = Self.records(log)
                #expect(!records.isEmpty, "\(agent) wrote nothing")
                #expect(records.allSatisfy { $0 != nil }, "\(agent) wrote a line that is not a JSON object: \(log)")
                let messages = records.compactMap { $0?["message"] as? String }
                #expect(messages.contains(expected), "\(agent) messages: \(messages)")
                #expect(records.allSatisfy { $0?["level"] is String && $0?["time"] is String }, "\(agent): \(log)")
                // UTC, with its zone: "2026-12-05T19:02:33.365Z".
                #expect(records.allSatisfy { ($0?["time"] as? String)?.hasSuffix("Z") == true }, "\(agent): \(log)")
                // No type names or enum dumps (`issuedTunnelCertificate(EdgeAgent.…)`), no NIO debug text.
                #expect(!log.contains("Agent.") && !log.contains("errno"), "\(agent): \(log)")
            }
            let edgeMessages = Self.records(edge.log).compactMap { $0?["message"] as? String }
            #expect(edgeMessages.contains("issued a new tunnel certificate: there was none"), "\(edgeMessages)")
            let peers = Self.records(edge.log).compactMap { $0?["tunnel.peer"] as? String }
            #expect(!peers.isEmpty && peers.allSatisfy { $0.hasPrefix("127.0.0.1:") }, "tunnel.peer: \(peers)")
        }

        @Test("--log-level warning: the edge's info lines (edge ready, draining, stopped) are not written")
        func levelFromFlag() async throws {
            let edge = try EdgeServerProcess(arguments: ["--log-level", "warning"])
            defer { edge.removeData() }
            try await edge.waitUntilReady()
            // An API round trip: the edge has passed its start-up and logs
            // at info on every step of a graceful stop.
            _ = try await HomeEnrollment.enroll("alice", at: edge)
            #expect(await edge.terminate() == 0)
            #expect(!edge.log.contains("edge ready"), "log: \(edge.log)")
            #expect(!edge.log.contains(" info "), "log: \(edge.log)")
        }

        /// Each non-empty line parsed as a JSON object (nil if it is not one).
        static func records(_ log: String) -> [[String: Any]?] {
            log.split(separator: "\n").filter { !$0.isEmpty }.map { line in
                (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]
            }
        }
    }
}
