import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// The public HTTP port with real curl and a real nginx at home: routing by
    /// Host, ACME challenges for TLS-only names, the redirect to https, and the
    /// edge's own answers when there is nowhere to go.
    @Suite("HTTP routing by Host", .serialized)
    struct HTTPRoutingTests {
        @Test("Host routing, ACME challenge, 308 redirect, 404, 502 and 503")
        func routing() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let nginx = try await NginxProcess(
                names: ["secure.alice-home.com"],
                files: [
                    "index.html": "plain app\n",
                    ".well-known/acme-challenge/token-123": "token-123.thumbprint\n",
                ])
            let closedPort = try FreePorts.one()
            let config = try await HomeEnrollment.enroll("alice", at: edge, domain: "alice-home.com", forwards: [
                ["app", "--type", "http", "--hostname", "app.alice-home.com", "--target", "127.0.0.1:\(nginx.httpPort)"],
                ["secure", "--type", "https", "--hostname", "secure.alice-home.com", "--target", "127.0.0.1:\(nginx.tlsPort)",
                 "--acme-target", "127.0.0.1:\(nginx.httpPort)"],
                ["bare", "--type", "https", "--hostname", "bare.alice-home.com", "--target", "127.0.0.1:\(nginx.tlsPort)"],
                ["dead", "--type", "http", "--hostname", "dead.alice-home.com", "--target", "127.0.0.1:\(closedPort)"],
            ])
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            let port = edge.ports.http

            let app = try await Curl.get("http://app.alice-home.com:\(port)/", resolve: "app.alice-home.com", port: port)
            #expect(app.output == "plain app\n\n200", "\(app.error)")

            let challenge = try await Curl.get(
                "http://secure.alice-home.com:\(port)/.well-known/acme-challenge/token-123",
                resolve: "secure.alice-home.com", port: port)
            #expect(challenge.output == "token-123.thumbprint\n\n200", "\(challenge.error)")

            let redirect = try await Curl.get(
                "http://secure.alice-home.com:\(port)/docs/page?x=1", resolve: "secure.alice-home.com", port: port,
                arguments: ["-D", "-"])
            #expect(redirect.output.hasPrefix("HTTP/1.1 308 Permanent Redirect\r\n"), "\(redirect.output)")
            #expect(redirect.output.contains("Location: https://secure.alice-home.com:\(edge.ports.https)/docs/page?x=1\r\n"))

            // A TLS-only name without an ACME responder configured at home.
            let noResponder = try await Curl.get(
                "http://bare.alice-home.com:\(port)/.well-known/acme-challenge/x", resolve: "bare.alice-home.com", port: port)
            #expect(noResponder.output.hasSuffix("\n502"), "\(noResponder.output)")

            // The home's service refuses the connection.
            let dead = try await Curl.get("http://dead.alice-home.com:\(port)/", resolve: "dead.alice-home.com", port: port)
            #expect(dead.output.hasSuffix("\n502"), "\(dead.output)")
            #expect(agent.log.contains("could not connect to the forward's target"))

            let unknown = try await Curl.get("http://nobody.example.org:\(port)/", resolve: "nobody.example.org", port: port)
            #expect(unknown.output.hasSuffix("\n404"), "\(unknown.output)")

            // Malformed and oversized heads get a 4xx from the edge itself.
            let oversized = try await Curl.get(
                "http://app.alice-home.com:\(port)/", resolve: "app.alice-home.com", port: port,
                arguments: ["-H", "X-Big: " + String(repeating: "a", count: 20_000)])
            #expect(oversized.output.hasSuffix("\n431"), "\(oversized.output.suffix(100))")

            // With the home gone the route stays, and the edge says so.
            _ = await agent.terminate()
            let offline = try await Curl.get("http://app.alice-home.com:\(port)/", resolve: "app.alice-home.com", port: port)
            #expect(offline.output.hasSuffix("\n503"), "\(offline.output)")
            #expect(offline.output.contains("offline"))

            _ = await edge.terminate()
            await nginx.stop()
            edge.removeData()
        }
    }
}
