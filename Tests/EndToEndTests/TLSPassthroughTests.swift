import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Real TLS clients (`curl`, `openssl s_client`) through the edge's public
    /// TLS port to real TLS servers (nginx) at two different homes.
    @Suite("TLS passthrough by SNI to nginx at two homes", .serialized)
    struct TLSPassthroughTests {
        @Test("curl reaches each home's nginx by name; neither home ever sees the other's traffic")
        func twoHomes() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let alice = try await NginxProcess(names: ["blog.alice-home.com"], files: ["index.html": "alice's blog\n"])
            let bob = try await NginxProcess(names: ["www.bob-home.net"], files: ["index.html": "bob's site\n"])
            let aliceConfig = try await HomeEnrollment.enroll("alice", at: edge, domain: "alice-home.com", forwards: [
                ["blog", "--type", "https", "--hostname", "blog.alice-home.com", "--target", "127.0.0.1:\(alice.tlsPort)"],
            ])
            let bobConfig = try await HomeEnrollment.enroll("bob", at: edge, domain: "bob-home.net", forwards: [
                ["www", "--type", "https", "--hostname", "www.bob-home.net", "--target", "127.0.0.1:\(bob.tlsPort)"],
            ])
            let aliceAgent = try HomeAgentProcess(config: aliceConfig)
            let bobAgent = try HomeAgentProcess(config: bobConfig)
            try await aliceAgent.waitUntilHealthy()
            try await bobAgent.waitUntilHealthy()

            let port = edge.ports.https
            for _ in 0..<3 {
                let a = try await Curl.get(
                    "https://blog.alice-home.com:\(port)/", resolve: "blog.alice-home.com", port: port,
                    arguments: ["--cacert", alice.certificate.path])
                #expect(a.output == "alice's blog\n\n200", "stderr: \(a.error)")
                let b = try await Curl.get(
                    "https://www.bob-home.net:\(port)/", resolve: "www.bob-home.net", port: port,
                    arguments: ["--cacert", bob.certificate.path])
                #expect(b.output == "bob's site\n\n200", "stderr: \(b.error)")
            }
            // Each nginx answered exactly its own three requests, and each home
            // agent logged only connections for its own name.
            #expect(alice.accessLog.split(separator: "\n").count == 3)
            #expect(bob.accessLog.split(separator: "\n").count == 3)
            #expect(aliceAgent.log.contains("server_name=blog.alice-home.com"))
            #expect(!aliceAgent.log.contains("bob-home.net"))
            #expect(bobAgent.log.contains("server_name=www.bob-home.net"))
            #expect(!bobAgent.log.contains("alice-home.com"))

            // An unknown name gets a TLS alert, not a connection to anyone.
            let unknown = try await Curl.get("https://nobody.example.org:\(port)/", resolve: "nobody.example.org", port: port)
            #expect(unknown.status == 35, "curl: \(unknown.error)")
            #expect(unknown.error.contains("unrecognized name"), "curl: \(unknown.error)")
            // So does a ClientHello without SNI.
            let bare = try await AgentRun.tool("/usr/bin/openssl", [
                "s_client", "-connect", "127.0.0.1:\(port)", "-noservername", "-brief",
            ])
            #expect(bare.status != 0)
            #expect((bare.output + bare.error).contains("unrecognized name"), "\(bare.error)")
            #expect(alice.accessLog.split(separator: "\n").count == 3 && bob.accessLog.split(separator: "\n").count == 3)
            // Both refusals were counted, and the API shows the counts.
            let token = try String(contentsOf: edge.directory.appendingPathComponent("admin.token"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let stats = try await AgentRun.tool("/usr/bin/curl", [
                "-sS", "--max-time", "10", "-H", "Authorization: Bearer \(token)",
                "http://127.0.0.1:\(edge.ports.api)/api/routes",
            ])
            let refusals = (try JSONSerialization.jsonObject(with: Data(stats.output.utf8)) as? [String: Any])?["refusals"]
                as? [String: Int]
            #expect(refusals?["unknown_name"] == 1, "\(stats.output)")
            #expect(refusals?["no_server_name"] == 1, "\(stats.output)")

            _ = await aliceAgent.terminate()
            _ = await bobAgent.terminate()
            _ = await edge.terminate()
            await alice.stop()
            await bob.stop()
            edge.removeData()
        }
    }
}
