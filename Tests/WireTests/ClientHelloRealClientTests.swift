import TestSupport
import Foundation
import NIOCore
import Testing
@testable import Wire

/// ClientHellos produced at test time by real TLS clients (tier 3).
@Suite("ClientHelloRealClients", .timeLimit(.minutes(1)))
struct ClientHelloRealClientTests {
    static let openssl = "/usr/bin/openssl"
    static let curl = "/usr/bin/curl"

    static let helloIsComplete: @Sendable ([UInt8]) -> Bool = { bytes in
        (try? ClientHelloParser().parse(bytes)) != .needMoreData
    }

    /// Feeds `bytes` one byte at a time, as the edge would see a slow client.
    func dripFeed(_ bytes: [UInt8]) throws -> ClientHelloInfo? {
        let parser = ClientHelloParser()
        var buffer = ByteBuffer()
        for (index, byte) in bytes.enumerated() {
            buffer.writeInteger(byte)
            if case .complete(let info) = try parser.parse(buffer) {
                #expect(index == bytes.count - 1, "complete before the last byte")
                return info
            }
        }
        return nil
    }

    /// Re-sends the same handshake in TLS records of `size` bytes.
    func refragmented(_ bytes: [UInt8], size: Int) -> [UInt8] {
        ClientHelloBuilder.wrap(ClientHelloBuilder.unwrap(bytes), fragmentSize: size)
    }

    func checkEveryWay(_ bytes: [UInt8], serverName: String, alpn: [String]) throws {
        let info = try #require(try ClientHelloParser().parse(bytes).value)
        #expect(info.serverName == serverName)
        #expect(info.alpnProtocols == alpn)
        #expect(info.offersTLS13)
        #expect(try dripFeed(bytes) == info)
        for size in [1, 2, 13, 200] {
            #expect(try ClientHelloParser(maximumLength: 65_536).parse(refragmented(bytes, size: size)).value == info)
        }
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(openssl)))
    func opensslClientHelloYieldsSNIAndALPN() async throws {
        let bytes = try await PeekLoopbackCapture.capture(isDone: Self.helloIsComplete) { port in
            (Self.openssl, ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "blog.example.com", "-alpn", "h2,http/1.1"])
        }
        try checkEveryWay(bytes, serverName: "blog.example.com", alpn: ["h2", "http/1.1"])
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(openssl)))
    func opensslTLS12ClientHelloYieldsSNI() async throws {
        let bytes = try await PeekLoopbackCapture.capture(isDone: Self.helloIsComplete) { port in
            (Self.openssl, ["s_client", "-connect", "127.0.0.1:\(port)", "-servername", "Old.Example.NET", "-tls1_2"])
        }
        let info = try #require(try ClientHelloParser().parse(bytes).value)
        #expect(info.serverName == "old.example.net")
        #expect(info.alpnProtocols.isEmpty)
        #expect(!info.offersTLS13)
        #expect(try dripFeed(bytes) == info)
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(curl)))
    func curlClientHelloYieldsSNIAndALPN() async throws {
        let bytes = try await PeekLoopbackCapture.capture(isDone: Self.helloIsComplete) { port in
            (Self.curl, ["--silent", "--insecure", "--max-time", "5", "--connect-timeout", "3",
                         "--resolve", "app.example.org:\(port):127.0.0.1", "https://app.example.org:\(port)/"])
        }
        try checkEveryWay(bytes, serverName: "app.example.org", alpn: try await Self.curlALPN())
    }

    /// curl offers h2 only when built with HTTP/2 support.
    static func curlALPN() async throws -> [String] {
        let output = try await AgentRun.tool(curl, ["--version"], timeout: .seconds(10)).output
        let features = output.split(separator: "\n").first { $0.hasPrefix("Features:") } ?? ""
        return features.split(separator: " ").contains("HTTP2") ? ["h2", "http/1.1"] : ["http/1.1"]
    }
}
