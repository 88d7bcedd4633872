import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// The public HTTP port routes a connection by its first request; a
    /// kept-alive connection must never carry a later request (and its
    /// cookies) for another home to the first one's home.
    @Suite("HTTP keep-alive: requests for another home never reach the first", .serialized)
    struct HTTPKeepAliveIsolationTests {
        static func request(_ host: String, cookie: String? = nil) -> [UInt8] {
            Array("GET / HTTP/1.1\r\nHost: \(host)\r\n\(cookie.map { "Cookie: \($0)\r\n" } ?? "")\r\n".utf8)
        }

        static func responses(_ bytes: [UInt8]) -> Int {
            String(decoding: bytes, as: UTF8.self).components(separatedBy: "HTTP/1.1 200 OK").count - 1
        }

        @Test("a second request for bob on alice's connection ends it before the request; alice's keep-alive still works")
        func keepAliveStaysWithItsHome() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let alice = try await RecordingHTTPServer(name: "alice")
            let bob = try await RecordingHTTPServer(name: "bob")
            var agents: [HomeAgentProcess] = []
            for (name, server) in [("alice", alice), ("bob", bob)] {
                let config = try await HomeEnrollment.enroll(name, at: edge, domain: "\(name)-home.com", forwards: [
                    ["app", "--type", "http", "--hostname", "app.\(name)-home.com", "--target", "127.0.0.1:\(server.port)"],
                ])
                let agent = try HomeAgentProcess(config: config)
                try await agent.waitUntilHealthy()
                agents.append(agent)
            }
            let port = edge.ports.http

            // One request after another on one connection.
            let sequential = try await HeldConnection(port: port)
            try await sequential.send(Self.request("app.alice-home.com"))
            #expect(try await eventually { Self.responses(try await sequential.received) == 1 })
            try await sequential.send(Self.request("app.bob-home.com", cookie: "session=bob-secret"))
            #expect(try await eventually(timeout: .seconds(20)) { !sequential.channel.isActive }, "the connection stays open")
            #expect(Self.responses(try await sequential.received) == 1)

            // Pipelined in one write: alice's first request is answered, nothing after it.
            let pipelined = try await HeldConnection(port: port)
            try await pipelined.send(
                Self.request("app.alice-home.com") + Self.request("app.bob-home.com", cookie: "session=bob-secret")
                    + Self.request("app.alice-home.com"))
            #expect(try await eventually(timeout: .seconds(20)) { !pipelined.channel.isActive }, "the connection stays open")
            let answered = String(decoding: try await pipelined.received, as: UTF8.self)
            #expect(Self.responses(Array(answered.utf8)) == 1 && answered.hasSuffix("alice"), "\(answered)")

            // Requests for the same home keep one connection alive.
            let kept = try await HeldConnection(port: port)
            for round in 1...3 {
                try await kept.send(Self.request("app.alice-home.com"))
                #expect(try await eventually { Self.responses(try await kept.received) == round })
            }
            #expect(kept.channel.isActive)
            try? await kept.channel.close()

            // Bob is reached on a connection of his own.
            let fresh = try await Curl.get("http://app.bob-home.com:\(port)/", resolve: "app.bob-home.com", port: port)
            #expect(fresh.output == "bob\n200", "\(fresh.error)")

            #expect(!alice.received.contains { $0.contains("bob") }, "alice received: \(alice.received)")
            #expect(alice.received.count == 5, "alice received: \(alice.received)")
            #expect(bob.received.count == 1, "bob received: \(bob.received)")
            #expect(try await Self.refusals(edge)["other_destination"] as? Int == 2)

            for agent in agents { _ = await agent.terminate() }
            _ = await edge.terminate()
            await alice.close()
            await bob.close()
            edge.removeData()
        }

        /// The refusal counters as `edgeagent route list --json` prints them.
        static func refusals(_ edge: EdgeServerProcess) async throws -> [String: Any] {
            let run = try await AgentRun.run("edgeagent", ["route", "list", "--json", "--data-dir", edge.directory.path])
            let document = try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any]
            return document?["refusals"] as? [String: Any] ?? [:]
        }
    }
}
