import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport
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

    /// haproxy ended before it listened (its port was taken meanwhile, or a
    /// bad config); `log` is what it said.
    struct HAProxyExited: Error, CustomStringConvertible {
        var status: Int32
        var log: String
        var description: String { "haproxy exited with status \(status) before listening: \(log)" }
    }

    /// Sends `header` + payload through haproxy; returns what its backend got.
    /// A haproxy that could not listen on its frontend port is started again
    /// on another, at most three times.
    func relay(_ header: ProxyProtocolV2Header) async throws -> [UInt8] {
        for attempt in 1...3 {
            do {
                return try await relayOnce(header)
            } catch is HAProxyExited where attempt < 3 {
                continue  // most likely its port was taken; a new one is chosen
            }
        }
        return try await relayOnce(header)
    }

    private func relayOnce(_ header: ProxyProtocolV2Header) async throws -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-haproxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Below the ephemeral range, so no listener on port 0 or client socket
        // of a parallel test takes it between this choice and haproxy's bind.
        let frontendPort = try FreePorts.range(count: 1).lowerBound
        let log = directory.appendingPathComponent("haproxy.log").path
        let sent = try Array(buffer: header.encoded()) + Self.payload
        return try await PeekLoopbackCapture.capture(
            timeout: .seconds(20),
            isDone: { bytes in
                var buffer = ByteBuffer(bytes: bytes)
                guard (try? ProxyProtocolV2Header.read(from: &buffer)) != nil else { return false }
                return buffer.readableBytes >= Self.payload.count
            },
            clientLog: log,
            afterLaunch: { _, haproxy in
                try await Self.waitUntilListening(haproxy, port: frontendPort, log: log)
                try await Self.send(sent, toPort: frontendPort)
            },
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

    /// Waits until haproxy itself holds a listening socket on `port`, for as
    /// long as it runs: a slow start on a loaded machine only takes longer,
    /// one that failed is reported at once, and a listener of someone else
    /// on that port is never taken for haproxy's. Polls every 10 ms; the
    /// bound on polls only backs up the suite's time limit.
    static func waitUntilListening(_ haproxy: SpawnedProcess, port: Int, log: String) async throws {
        for _ in 0..<6_000 {
            if try ListeningSockets.isListening(pid: haproxy.pid, port: port) { return }
            guard haproxy.isRunning else {
                let said = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw HAProxyExited(status: haproxy.terminationStatus, log: String(said.suffix(1000)))
            }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw PeekLoopbackCapture.TimedOut()
    }

    /// Connects to haproxy's frontend (already listening) and writes
    /// `bytes`. The connection stays open until haproxy is stopped.
    static func send(_ bytes: [UInt8], toPort port: Int) async throws {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
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
