import NIOCore
import Testing
@testable import Wire

/// HTTP request heads produced at test time by a real client (tier 3).
@Suite("HTTPHeadRealClients", .timeLimit(.minutes(1)))
struct HTTPHeadRealClientTests {
    static let curl = "/usr/bin/curl"

    static let headIsComplete: @Sendable ([UInt8]) -> Bool = { bytes in
        (try? HTTPHeadParser().parse(bytes)) != .needMoreData
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(curl)))
    func curlRequestHeadYieldsHostPathAndACME() async throws {
        var capturedPort = 0
        let bytes = try await PeekLoopbackCapture.capture(isDone: Self.headIsComplete) { port in
            capturedPort = port
            return (Self.curl, ["--silent", "--max-time", "5", "--connect-timeout", "3", "-H", "X-Test: yes",
                                "--resolve", "app.example.org:\(port):127.0.0.1",
                                "http://App.Example.org:\(port)/.well-known/acme-challenge/token-1?x=y"])
        }
        let head = try #require(try HTTPHeadParser().parse(bytes).value)
        #expect(head.method == "GET")
        #expect(head.version == .http1_1)
        #expect(head.host == "app.example.org")
        #expect(head.port == UInt16(capturedPort))
        #expect(head.path == "/.well-known/acme-challenge/token-1")
        #expect(head.isACMEChallenge)
        #expect(head.values(named: "x-test") == ["yes"])
        #expect(head.headLength == bytes.count)

        let parser = HTTPHeadParser()
        var buffer = ByteBuffer()
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            let result = try parser.parse(buffer)
            if index < bytes.count - 1 { #expect(result == .needMoreData) } else { #expect(result == .complete(head)) }
        }
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(curl)))
    func curlPostHeadLengthStopsBeforeTheBody() async throws {
        let bytes = try await PeekLoopbackCapture.capture(isDone: { $0.count >= 4 && $0.suffix(4) == Array("BODY".utf8) }) { port in
            (Self.curl, ["--silent", "--max-time", "5", "--connect-timeout", "3", "-H", "Expect:", "--data-binary", "BODY",
                         "http://127.0.0.1:\(port)/submit"])
        }
        let head = try #require(try HTTPHeadParser().parse(bytes).value)
        #expect(head.method == "POST")
        #expect(head.host == "127.0.0.1")
        #expect(head.path == "/submit")
        #expect(Array(bytes[head.headLength...]) == Array("BODY".utf8))
    }
}
