import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// What a client may not make the edge carry on an `http` forward's
    /// kept-alive connection: a request the edge did not judge (smuggled
    /// in a body the edge and the service read differently, or sent after
    /// an upgrade the service refused), forwarding headers in spellings the
    /// service merges, or a later head held open for ever ([SEC-7] –
    /// [SEC-10]). A real python3 service at home echoes what it received.
    @Suite("HTTP forwards: no request passes the edge unjudged", .serialized)
    struct HTTPRequestSmugglingTests {
        static let host = ForwardedHeadersTests.host
        static let forged = "GET /two HTTP/1.1\r\nHost: app.bob-home.com\r\nX-Forwarded-For: 6.6.6.6\r\nX-Real-IP: 6.6.6.6\r\n\r\n"

        /// Sends `bytes` on a connection of its own and returns the paths of
        /// the answers once the edge has closed it.
        /// Sends `bytes` and waits until the edge has closed the connection.
        static func connection(_ connection: HeldConnection, sends bytes: String) async throws {
            try await connection.send(Array(bytes.utf8))
            _ = try await eventually(timeout: .seconds(60)) { !connection.channel.isActive }
        }

        static func paths(_ bytes: String, port: Int) async throws -> (paths: [String], closed: Bool) {
            let connection = try await HeldConnection(port: port)
            try await connection.send(Array(bytes.utf8))
            let closed = try await eventually(timeout: .seconds(60)) { !connection.channel.isActive }
            let answers = HTTPAnswers.bodies(try await connection.received).compactMap { try? HeaderEchoServer.decode($0) }
            try? await connection.channel.close()
            return (answers.map(\.path), closed)
        }

        @Test("a body after an Upgrade, a bare LF in a chunk line, underscore headers: each is framed, refused or removed")
        func noRequestPassesUnjudged() async throws {
            let service = try await HeaderEchoServer()
            let (edge, agent) = try await ForwardedHeadersTests.start(service)
            let port = edge.ports.http

            // The service did not switch (200 to `Upgrade: x`): the body is
            // a body and the next request, for another home, is refused.
            let upgrade = "POST /one HTTP/1.1\r\nHost: \(Self.host)\r\nUpgrade: x\r\nContent-Length: 7\r\n\r\n{\"a\":1}"
            let refused = try await Self.paths(upgrade + Self.forged, port: port)
            #expect(refused.paths == ["/one"] && refused.closed, "\(refused)")

            // nginx and python end a chunk-size line at a bare LF, the edge
            // would have read on to the CRLF: the request in the middle never goes.
            let smuggled = "\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: app.bob-home.com\r\nX-Forwarded-For: 6.6.6.6\r\nX-Pad: "
            let padded = smuggled + String(repeating: "p", count: 128 - smuggled.utf8.count - 4) + "\r\n\r\n"
            let chunked = "POST /outer HTTP/1.1\r\nHost: \(Self.host)\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "80;x\n" + String(repeating: "A", count: 126) + "\r\n" + padded + "\r\n0\r\n\r\n"
            let bareLF = try await Self.paths(chunked, port: port)
            #expect(!bareLF.paths.contains("/smuggled") && bareLF.closed, "\(bareLF)")

            // CGI-style services read X_Forwarded_For as X-Forwarded-For.
            let underscores = try await ForwardedHeadersTests.curl([
                "-H", "X_Forwarded_For: 6.6.6.6", "-H", "X_Real_IP: 6.6.6.6", "-H", "X-Forwarded_Proto: https",
                "http://\(Self.host):\(port)/u",
            ], port: port)
            #expect(underscores.count == 1)
            for request in underscores {
                #expect(!request.headers.contains { $0.first?.contains("_") == true }, "\(request.headers)")
                ForwardedHeadersTests.expectEdgeHeaders(request, client: "127.0.0.1", hostHeader: "\(Self.host):\(port)")
            }

            // CONNECT is refused by the edge itself: a catch-all service's 200 would be no tunnel.
            let connect = try await HeldConnection(port: port)
            try await Self.connection(connect, sends: "CONNECT \(Self.host):80 HTTP/1.1\r\nHost: \(Self.host)\r\n\r\n" + Self.forged)
            let connectAnswer = String(decoding: try await connect.received, as: UTF8.self)
            #expect(connectAnswer.hasPrefix("HTTP/1.1 400") && connectAnswer.contains("CONNECT is not served here"), "\(connectAnswer)")
            // An h2c upgrade is an ordinary request: the forged one after it is refused, not switched past.
            let h2c = "GET /h2c HTTP/1.1\r\nHost: \(Self.host)\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABk\r\nConnection: Upgrade, HTTP2-Settings\r\n\r\n"
            let notSwitched = try await Self.paths(h2c + Self.forged, port: port)
            #expect(notSwitched.paths == ["/h2c"] && notSwitched.closed, "\(notSwitched)")

            let refusals = try await HTTPKeepAliveIsolationTests.refusals(edge)
            #expect(refusals["other_destination"] as? Int == 2 && refusals["malformed"] as? Int == 2, "\(refusals)")

            _ = await agent.terminate()
            _ = await edge.terminate()
            await service.stop()
            edge.removeData()
        }

        @Test("after the service's 101 the connection carries its new protocol, whatever the bytes look like")
        func switchedConnectionIsOpaque() async throws {
            let service = try await HeaderEchoServer()
            let (edge, agent) = try await ForwardedHeadersTests.start(service)
            let connection = try await HeldConnection(port: edge.ports.http)
            try await connection.send(Array("GET /ws HTTP/1.1\r\nHost: \(Self.host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n".utf8))
            let switched = try await eventually(timeout: .seconds(60)) {
                String(decoding: try await connection.received, as: UTF8.self).contains("\r\n\r\n")
            }
            let head = String(decoding: try await connection.received, as: UTF8.self)
            #expect(switched && head.hasPrefix("HTTP/1.1 101 "), "\(head)")
            let frames = "\u{81}\u{05}hello GET / HTTP/1.1\nHost: app.bob-home.com\n\n" + Self.forged
            try await connection.send(Array(frames.utf8))
            #expect(try await eventually(timeout: .seconds(60)) {
                String(decoding: try await connection.received, as: UTF8.self).hasSuffix(frames)
            })
            #expect(String(decoding: try await connection.received, as: UTF8.self) == head + frames)
            try? await connection.channel.close()

            _ = await agent.terminate()
            _ = await edge.terminate()
            await service.stop()
            edge.removeData()
        }

        @Test("a later request's head not complete within 5 s of its first byte ends the connection")
        func slowLaterHeadEndsTheConnection() async throws {
            let service = try await HeaderEchoServer()
            let (edge, agent) = try await ForwardedHeadersTests.start(service)
            let connection = try await HeldConnection(port: edge.ports.http)
            try await connection.send(Array("GET /first HTTP/1.1\r\nHost: \(Self.host)\r\n\r\n".utf8))
            #expect(try await eventually(timeout: .seconds(60)) { HTTPAnswers.bodies(try await connection.received).count == 1 })
            let started = ContinuousClock.now
            try await connection.send(Array("GET /second HTTP/1.1\r\nHost: \(Self.host)\r\nX-Pad: ".utf8))
            #expect(try await eventually(timeout: .seconds(60)) { !connection.channel.isActive }, "the connection stays open")
            #expect(ContinuousClock.now - started >= .seconds(5))
            #expect(HTTPAnswers.bodies(try await connection.received).count == 1)
            let refusals = try await HTTPKeepAliveIsolationTests.refusals(edge)
            #expect(refusals["peek_timeout"] as? Int == 1, "\(refusals)")

            _ = await agent.terminate()
            _ = await edge.terminate()
            await service.stop()
            edge.removeData()
        }
    }
}
