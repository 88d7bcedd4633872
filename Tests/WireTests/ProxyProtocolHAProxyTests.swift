import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import Wire

/// Interoperability with a real PROXY protocol consumer (tier 3): HAProxy
/// accepts our header on an `accept-proxy` frontend and re-sends the client
/// address it learnt (and the authority TLV) to a backend with
/// `send-proxy-v2`, where our decoder reads it back. Skipped when haproxy is
/// not installed (`apt-get install -y haproxy`).
@Suite("ProxyProtocolHAProxy", .timeLimit(.minutes(1)), .serialized)
struct ProxyProtocolHAProxyTests {
    static let haproxy = "/usr/sbin/haproxy"
    static let payload = Array("hello through haproxy".utf8)

    /// Sends `header` + payload through haproxy; returns what its backend got.
    func relay(_ header: ProxyProtocolV2Header) async throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let frontendPort = try await Self.freePort()
        let sent = try Array(buffer: header.encoded()) + Self.payload
        return try await PeekLoopbackCapture.capture(
            timeout: .seconds(20),
            isDone: { bytes in
                var buffer = ByteBuffer(bytes: bytes)
                guard (try? ProxyProtocolV2Header.read(from: &buffer)) != nil else { return false }
                return buffer.readableBytes >= Self.payload.count
            },
            afterLaunch: { _ in try await Self.send(sent, toPort: frontendPort) },
            client: { backendPort in
                let config = """
                    defaults
                      mode tcp
                      timeout connect 2s
                      timeout client 5s
                      timeout server 5s
                    frontend fe
                      bind 127.0.0.1:\(frontendPort) accept-proxy
                      default_backend be
                    backend be
                      server s1 127.0.0.1:\(backendPort) send-proxy-v2 proxy-v2-options authority

                    """
                let path = directory.appendingPathComponent("haproxy.cfg").path
                try config.write(toFile: path, atomically: true, encoding: .utf8)
                return (Self.haproxy, ["-f", path, "-db"])
            }
        )
    }

    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port ?? 0
        try await channel.close()
        return port
    }

    /// Connects (retrying while haproxy starts, up to 10 s on a loaded machine)
    /// and writes `bytes`. The connection stays open until haproxy is stopped.
    static func send(_ bytes: [UInt8], toPort port: Int) async throws {
        let deadline = NIODeadline.now() + .seconds(10)
        while true {
            do {
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .connect(host: "127.0.0.1", port: port).get()
                try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
                return
            } catch {
                guard NIODeadline.now() < deadline else { throw error }
                try await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    func decode(_ bytes: [UInt8]) throws -> (ProxyProtocolV2Header, [UInt8]) {
        var buffer = ByteBuffer(bytes: bytes)
        let header = try #require(try ProxyProtocolV2Header.read(from: &buffer))
        return (header, Array(buffer: buffer))
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(haproxy)))
    func haproxyAcceptsIPv4HeaderAndForwardsClientAddressAndAuthority() async throws {
        let sent = ProxyProtocolV2Header(
            addresses: .tcpIPv4(source: .init(192, 0, 2, 10), sourcePort: 51_234,
                                destination: .init(198, 51, 100, 20), destinationPort: 443),
            tlvs: [.authority("blog.example.com"), .alpn("h2")]
        )
        let (received, rest) = try decode(try await relay(sent))
        #expect(received.command == .proxy)
        #expect(received.addresses == sent.addresses)
        #expect(received.authority == "blog.example.com")
        #expect(rest == Self.payload)
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(haproxy)))
    func haproxyAcceptsIPv6Header() async throws {
        let source = try #require(ProxyProtocolV2Header.IPv6Address(bytes: [0x20, 0x01, 0x0D, 0xB8] + Array(repeating: 0, count: 11) + [7]))
        let sent = ProxyProtocolV2Header(
            addresses: .tcpIPv6(source: source, sourcePort: 40_000, destination: .init(high: 0x2001_0DB8_0000_0000, low: 8),
                                destinationPort: 8443)
        )
        let (received, rest) = try decode(try await relay(sent))
        #expect(received.addresses == sent.addresses)
        #expect(rest == Self.payload)
    }

    @Test(.enabled(if: PeekLoopbackCapture.hasTool(haproxy)))
    func haproxyTreatsLocalAsTheRealConnection() async throws {
        let (received, rest) = try decode(try await relay(.local))
        guard case .tcpIPv4(let source, _, let destination, _) = received.addresses else {
            Issue.record("expected TCP over IPv4 from the real loopback connection, got \(received.addresses)")
            return
        }
        #expect(source == .init(127, 0, 0, 1))
        #expect(destination == .init(127, 0, 0, 1))
        #expect(rest == Self.payload)
    }
}
