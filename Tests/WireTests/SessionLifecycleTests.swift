import TestSupport
import LinkEmulator
import NIOCore
import NIOPosix
import Testing
@testable import Wire

@Suite("Session: handshake, errors, keepalive and drain", .timeLimit(.minutes(1)))
struct SessionLifecycleTests {
    static let echo: SessionPair.StreamInitializer = { stream in
        stream.allowHalfClosure().flatMapThrowing { try stream.pipeline.syncOperations.addHandler(EchoHandler()) }
    }

    @Test("HELLO with no common version ends the session with VERSION_MISMATCH")
    func versionMismatch() async throws {
        let (peer, server, group) = try await RawPeer.againstListener()
        try await peer.send(.hello(Hello(minimumVersion: 7, maximumVersion: 9, settings: [])))
        let goAway = try await peer.waitFor { if case .goAway = $0 { true } else { false } }
        guard case .goAway(_, let code, _) = goAway else { Issue.record("no GOAWAY"); return }
        #expect(code == .versionMismatch)
        #expect(try await peer.closedByPeer())
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("a frame before HELLO, a zero WINDOW_UPDATE and an oversized frame end the session with the right code",
          arguments: [
            ([UInt8]([0, 0, 0, 8, 0x06, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]), WireErrorCode.protocolError, false),
            ([0, 0, 0, 4, 0x03, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0], .protocolError, true),
            ([0, 0x10, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 1], .frameSizeError, true),
          ])
    func malformedInputEndsSession(bytes: [UInt8], expected: WireErrorCode, helloFirst: Bool) async throws {
        let (peer, server, group) = try await RawPeer.againstListener()
        if helloFirst { try await peer.send(RawPeer.hello) }
        try await peer.sendRaw(bytes)
        let goAway = try await peer.waitFor { if case .goAway = $0 { true } else { false } }
        guard case .goAway(_, let code, let debug) = goAway else { Issue.record("no GOAWAY"); return }
        #expect(code == expected, "GOAWAY \(code): \(debug)")
        #expect(try await peer.closedByPeer())
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("unknown frame types, settings and metadata are ignored")
    func unknownIsIgnored() async throws {
        let (peer, server, group) = try await RawPeer.againstListener(streams: Self.echo)
        var hello = SessionConfiguration().hello
        hello.settings.append(Setting(SettingID(rawValue: 0x7777), 42))
        try await peer.send(.hello(hello))
        try await peer.send(.unknown(FrameHeader(length: 5, type: FrameType(rawValue: 0x42), flags: [], streamID: StreamID(3))))
        try await peer.sendRaw([0, 0, 0, 16, 0x01, 0, 0, 0, 0, 0, 0, 1,
                                0, 11, 0x01, 0, 4, 0x65, 0x63, 0x68, 0x6F, 0x99, 0, 1, 0xFF,  // forward "echo", unknown TLV
                                0x68, 0x69, 0x21])  // initial data "hi!"
        try await peer.send(.ping(12345))
        let pong = try await peer.waitFor { $0 == .pong(12345) }
        #expect(pong != nil)
        let echoed = try await peer.waitFor { if case .data(StreamID(1), _) = $0 { true } else { false } }
        #expect(echoed == .data(StreamID(1), .plain(ByteBuffer(string: "hi!"))))
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("streams beyond the concurrency limit are refused with REFUSED_STREAM")
    func concurrencyLimit() async throws {
        var config = SessionConfiguration()
        config.maxConcurrentStreams = 2
        let (peer, server, group) = try await RawPeer.againstListener(configuration: config)
        try await peer.send(RawPeer.hello)
        for id in [1, 3, 5] as [UInt32] {
            try await peer.send(.open(StreamID(id), StreamMetadata(forward: "x"), initialData: ByteBuffer()))
        }
        let refused = try await peer.waitFor { if case .rst = $0 { true } else { false } }
        #expect(refused == .rst(StreamID(5), .refusedStream))
        try await server.close()
        try await group.shutdownGracefully()

        let pair = try await SessionPair(listenerConfiguration: config)
        _ = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "a")) { $0.eventLoop.makeSucceededVoidFuture() }.get()
        _ = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "b")) { $0.eventLoop.makeSucceededVoidFuture() }.get()
        await #expect(throws: WireSessionError.tooManyStreams(limit: 2)) {
            try await pair.dialer.openStream(metadata: StreamMetadata(forward: "c")) { $0.eventLoop.makeSucceededVoidFuture() }.get()
        }
        try await pair.shutdown()
    }

    @Test("a stream the receiver cannot set up is reset, and the opener sees why")
    func failedSetupResets() async throws {
        struct Refused: Error {}
        let pair = try await SessionPair(listenerStreams: { $0.eventLoop.makeFailedFuture(Refused()) })
        let collector = try await openCollecting(pair.dialer, forward: "nowhere")
        await #expect(throws: WireSessionError.streamReset(.internalError)) {
            try await collector.handler.done.futureResult.get()
        }
        try await collector.channel.closeFuture.get()
        try await pair.shutdown()
    }

    @Test("an initializer can refuse a stream with its own RST code")
    func initializerRefusalCode() async throws {
        let pair = try await SessionPair(listenerStreams: { $0.eventLoop.makeFailedFuture(WireStreamRefusal(.unknownForward)) })
        let collector = try await openCollecting(pair.dialer, forward: "nope")
        await #expect(throws: WireSessionError.streamReset(.unknownForward)) {
            try await collector.handler.done.futureResult.get()
        }
        try await pair.shutdown()
    }

    @Test("GOAWAY drains: running streams finish, new ones are refused, then the connection closes")
    func gracefulDrain() async throws {
        let pair = try await SessionPair(listenerStreams: Self.echo)
        let payload = randomBytes(300_000, seed: 5)
        let collector = try await openCollecting(pair.dialer, forward: "echo")
        try await collector.channel.writeAndFlush(payload.getSlice(at: 0, length: 100_000)!)
        let closed = pair.listener.goAway(debug: "maintenance")
        // The dialer learns of the drain and refuses new local streams.
        // A stream opened before the GOAWAY arrives may still be accepted (it raced
        // the GOAWAY); it is closed here so that it does not keep the drain going.
        #expect(try await eventually {
            do {
                let late = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "late")) { $0.eventLoop.makeSucceededVoidFuture() }.get()
                try? await late.close()
                return false
            } catch WireSessionError.goingAway { return true }
        })
        await #expect(throws: WireSessionError.goingAway) {
            try await pair.listener.openStream(metadata: StreamMetadata(forward: "late")) { $0.eventLoop.makeSucceededVoidFuture() }.get()
        }
        try await collector.channel.writeAndFlush(payload.getSlice(at: 100_000, length: 200_000)!)
        try await collector.channel.close(mode: .output)
        #expect(try await collector.handler.done.futureResult.get() == payload)
        try await closed.get()
        try await pair.dialer.channel.closeFuture.get()
        try await pair.shutdown()
    }

    @Test("a peer that falls silent is declared dead within the timeout")
    func deadPeerDetection() async throws {
        var config = SessionConfiguration()
        config.keepaliveInterval = .milliseconds(100)
        config.deadPeerTimeout = .milliseconds(600)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = EmulatorBox()
        // Only the dialer runs the short timeout, so it is the one to notice.
        let pair = try await SessionPair(configuration: config, listenerConfiguration: SessionConfiguration(), listenerStreams: Self.echo) { target in
            let emulator = try await LinkEmulator(group: group, target: target, upstream: LinkProfile(), downstream: LinkProfile())
            box.emulator = emulator
            return emulator.address
        }
        let collector = try await openCollecting(pair.dialer, forward: "echo")
        // The close is stamped on the event loop, so a busy test runner cannot skew it.
        let closedAt = pair.dialer.channel.closeFuture.map { ContinuousClock.now }
        let start = ContinuousClock.now
        box.emulator?.freeze()
        await #expect(throws: WireSessionError.peerUnresponsive) {
            try await collector.handler.done.futureResult.get()
        }
        let elapsed = try await closedAt.get() - start
        #expect(elapsed < .seconds(3), "dead peer noticed after \(elapsed)")
        try await box.emulator?.close()
        try await pair.shutdown()
        try await group.shutdownGracefully()
    }

    @Test("LZ4 compresses a stream's DATA on the wire when both sides offer it")
    func compressionOnTheWire() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        // A raw listener records what a real dialer sends for a compressible stream.
        let listener = try await RawListener.start(group: group)
        let client = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.addWireSession(role: .dialer) { $0.eventLoop.makeSucceededVoidFuture() }
                }
            }
            .connect(to: listener.address).get()
        let session = try await client.pipeline.handler(type: WireSessionHandler.self).map { WireSession(handler: $0, channel: client) }.get()
        let peer = try await listener.accepted()
        try await peer.send(RawPeer.hello)
        let text = String(repeating: "{\"name\":\"portico\",\"kind\":\"tunnel\"},", count: 400)
        let stream = try await session.openStream(metadata: StreamMetadata(forward: "api"), compression: true) { $0.eventLoop.makeSucceededVoidFuture() }.get()
        try await stream.writeAndFlush(ByteBuffer(string: text))
        let data = try await peer.waitFor { if case .data = $0 { true } else { false } }
        guard case .data(_, .lz4(let decodedLength, let block)) = data else { Issue.record("DATA not compressed: \(String(describing: data))"); return }
        #expect(decodedLength == text.utf8.count)
        #expect(block.readableBytes < text.utf8.count / 4)
        #expect(String(buffer: try LZ4.decompress(block, decodedLength: decodedLength, allocator: ByteBufferAllocator())) == text)
        try await client.close()
        try await listener.close()
        try await group.shutdownGracefully()
    }
}

final class EmulatorBox: @unchecked Sendable {
    // Written once during setup, before any concurrent reader.
    var emulator: LinkEmulator?
}

/// A TCP listener that hands each accepted connection to the test as a RawPeer.
final class RawListener: Sendable {
    let server: Channel
    let address: SocketAddress
    private let peers: AsyncStream<RawPeer>

    private init(server: Channel, peers: AsyncStream<RawPeer>) {
        self.server = server
        self.address = server.localAddress!
        self.peers = peers
    }

    static func start(group: EventLoopGroup) async throws -> RawListener {
        let (stream, continuation) = AsyncStream<RawPeer>.makeStream()
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    continuation.yield(try RawPeer.adopt(channel))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawListener(server: server, peers: stream)
    }

    func accepted() async throws -> RawPeer {
        for await peer in peers { return peer }
        throw ChannelError.ioOnClosedChannel
    }

    func close() async throws { try await server.close() }
}
