import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Wire
@testable import EdgeAgent

@Suite("Tunnel admission: a peer's plaintext before admission is bounded")
struct TunnelAdmissionBoundTests {
    /// Counts the reads asked for below the admission handler.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    static let info = TLSSessionInfo(
        applicationProtocol: "portico/1", protocolVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256",
        serverName: nil, peerCertificate: nil, peerVerifiedChain: [])

    /// A handler whose registry lookup never finishes within the test.
    static func pending() -> TunnelAdmissionHandler {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return TunnelAdmissionHandler(
            logger: logger,
            admit: { _ in
                try await Task.sleep(for: .seconds(3600))
                return .enrolling
            },
            install: { _, _ in })
    }

    @Test("while the decision is pending no read is asked for, and more than 256 KiB held closes the connection")
    func boundedWhileDeciding() throws {
        let channel = EmbeddedChannel()
        let counter = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(Self.pending())
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 8444)).wait()
        channel.pipeline.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(Self.info))
        channel.pipeline.read()
        #expect(counter.reads == 0)
        try channel.writeInbound(ByteBuffer(repeating: 1, count: 200 * 1024))
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(repeating: 1, count: 100 * 1024))
        #expect(!channel.isActive)
        _ = try channel.finish(acceptAlreadyClosed: true)
    }
}
