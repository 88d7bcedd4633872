import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// What a service behind an `http` forward sees ([SEC-7]): the edge's
    /// X-Forwarded-For, X-Real-IP, X-Forwarded-Proto and Forwarded on every
    /// request of a connection, never the client's own. Real curl clients, a
    /// real python3 service at home that echoes what it received.
    @Suite("HTTP forwards: the service sees the client's address from the edge", .serialized)
    struct ForwardedHeadersTests {
        static let host = "app.alice-home.com"

        /// Headers a client would forge to pass for someone else.
        static let forged = [
            "X-Forwarded-For: 6.6.6.6", "Forwarded: for=6.6.6.6;proto=https", "X-Real-IP: 6.6.6.6",
            "X-Forwarded-Proto: https", "X-Forwarded-Host: bank.example", "X-Forwarded-Port: 443",
        ]

        /// An edge on `::` (dual stack, so IPv4 clients arrive as
        /// `::ffff:a.b.c.d`), alice's home and an `http` forward to `service`.
        static func start(_ service: HeaderEchoServer) async throws -> (EdgeServerProcess, HomeAgentProcess) {
            let edge = try EdgeServerProcess(arguments: ["--bind", "::"])
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge, domain: "alice-home.com", forwards: [
                ["app", "--type", "http", "--hostname", host, "--target", "127.0.0.1:\(service.port)"],
            ])
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            return (edge, agent)
        }

        /// curl, with the public name pinned to `address` (`127.0.0.1`,
        /// `[::1]`); each URL's answer on a line of its own.
        static func curl(_ arguments: [String], port: Int, address: String = "127.0.0.1") async throws -> [HeaderEchoServer.Request] {
            let run = try await AgentRun.tool("/usr/bin/curl", [
                "-sS", "--fail", "--max-time", "20", "--resolve", "\(host):\(port):\(address)", "-w", "\n",
            ] + arguments)
            #expect(run.status == 0, "curl: \(run.error)")
            return try run.output.split(separator: "\n").map { try HeaderEchoServer.decode(String($0)) }
        }

        /// The edge's headers exactly once each, for a client at `client`;
        /// Host as the client sent it (`hostHeader`).
        static func expectEdgeHeaders(
            _ request: HeaderEchoServer.Request, client: String, hostHeader: String, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let node = client.contains(":") ? "\"[\(client)]\"" : client
            #expect(request.values("X-Forwarded-For") == [client], "\(request.headers)", sourceLocation: sourceLocation)
            #expect(request.values("X-Real-IP") == [client], "\(request.headers)", sourceLocation: sourceLocation)
            #expect(request.values("X-Forwarded-Proto") == ["http"], "\(request.headers)", sourceLocation: sourceLocation)
            #expect(request.values("Forwarded") == ["for=\(node);proto=http"], "\(request.headers)", sourceLocation: sourceLocation)
            #expect(request.values("X-Forwarded-Host").isEmpty && request.values("X-Forwarded-Port").isEmpty,
                "\(request.headers)", sourceLocation: sourceLocation)
            #expect(request.values("Host") == [hostHeader], "\(request.headers)", sourceLocation: sourceLocation)
        }

        @Test("forged forwarding headers are replaced on every request of a kept-alive connection, over IPv4 and IPv6")
        func forgedHeadersAreReplacedOnEveryRequest() async throws {
            let service = try await HeaderEchoServer()
            let (edge, agent) = try await Self.start(service)
            let port = edge.ports.http
            let forged = Self.forged.flatMap { ["-H", $0] }

            // Two URLs in one curl: the second request reuses the connection.
            let kept = try await Self.curl(forged + ["http://\(Self.host):\(port)/one", "http://\(Self.host):\(port)/two"], port: port)
            #expect(kept.map(\.path) == ["/one", "/two"])
            #expect(Set(kept.map(\.peerPort)).count == 1, "the two requests came on different connections")
            for request in kept { Self.expectEdgeHeaders(request, client: "127.0.0.1", hostHeader: "\(Self.host):\(port)") }

            let overIPv6 = try await Self.curl(forged + ["http://\(Self.host):\(port)/six"], port: port, address: "[::1]")
            #expect(overIPv6.count == 1)
            for request in overIPv6 { Self.expectEdgeHeaders(request, client: "::1", hostHeader: "\(Self.host):\(port)") }

            _ = await agent.terminate()
            _ = await edge.terminate()
            await service.stop()
            edge.removeData()
        }

        @Test("chunked bodies and pipelined requests pass whole, each request with the edge's headers")
        func chunkedAndPipelinedRequestsPassWhole() async throws {
            let service = try await HeaderEchoServer()
            let (edge, agent) = try await Self.start(service)
            let port = edge.ports.http

            // curl sends a chunked body, then another request on the connection.
            let body = String(repeating: "chunked body X-Forwarded-For: 6.6.6.6\r\n", count: 2_000)
            let bodyFile = edge.directory.appendingPathComponent("body.txt")
            try body.write(to: bodyFile, atomically: true, encoding: .utf8)
            let chunked = try await Self.curl([
                "-H", "Transfer-Encoding: chunked", "-H", "X-Forwarded-For: 6.6.6.6", "--data-binary", "@\(bodyFile.path)",
                "http://\(Self.host):\(port)/upload", "--next", "-H", "x-real-ip: 6.6.6.6", "http://\(Self.host):\(port)/after",
            ], port: port)
            #expect(chunked.map(\.path) == ["/upload", "/after"])
            #expect(chunked.first?.body == body, "the chunked body changed on the way")
            #expect(chunked.first?.values("Transfer-Encoding") == ["chunked"])
            #expect(Set(chunked.map(\.peerPort)).count == 1, "the two requests came on different connections")
            for request in chunked { Self.expectEdgeHeaders(request, client: "127.0.0.1", hostHeader: "\(Self.host):\(port)") }

            // Three requests in one write: a body that looks like a header
            // line is a body, and stays as it was.
            let lookalike = "X-Forwarded-For: 6.6.6.6\r\n\r\n"
            let pipelined = try await HeldConnection(port: port)
            try await pipelined.send(Array((
                "GET /first HTTP/1.1\r\nHost: \(Self.host)\r\nx-forwarded-for: 6.6.6.6\r\nFORWARDED: for=6.6.6.6\r\n\r\n"
                    + "POST /second HTTP/1.1\r\nHost: \(Self.host)\r\nContent-Length: \(lookalike.utf8.count)\r\n\r\n\(lookalike)"
                    + "PUT /third HTTP/1.1\r\nHost: \(Self.host)\r\nTransfer-Encoding: chunked\r\nX-Real-IP: 6.6.6.6\r\n\r\n"
                    + "5\r\nhello\r\n0\r\n\r\n"
            ).utf8))
            #expect(try await eventually(timeout: .seconds(60)) { HTTPAnswers.bodies(try await pipelined.received).count == 3 })
            let answers = try HTTPAnswers.bodies(try await pipelined.received).map(HeaderEchoServer.decode)
            try? await pipelined.channel.close()
            #expect(answers.map(\.path) == ["/first", "/second", "/third"])
            #expect(answers.map(\.body) == ["", lookalike, "hello"])
            #expect(Set(answers.map(\.peerPort)).count == 1)
            for request in answers { Self.expectEdgeHeaders(request, client: "127.0.0.1", hostHeader: Self.host) }

            _ = await agent.terminate()
            _ = await edge.terminate()
            await service.stop()
            edge.removeData()
        }
    }
}
