import TestSupport
import NIOCore
import NIOPosix
import Synchronization
@testable import Wire

/// A hand-driven peer on a real TCP socket: it sends exactly the frames a test
/// writes and records every frame it receives, so tests can check how a real
/// session reacts to correct and broken input.
final class RawPeer: Sendable {
    let channel: Channel
    private let recorder: Recorder

    final class Recorder: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let bytes = Mutex(ByteBuffer())
        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var incoming = unwrapInboundIn(data)
            bytes.withLock { _ = $0.writeBuffer(&incoming) }
        }
    }

    private init(channel: Channel, recorder: Recorder) {
        self.channel = channel
        self.recorder = recorder
    }

    /// Connects to a session listening at `address`.
    static func connect(to address: SocketAddress, group: EventLoopGroup) async throws -> RawPeer {
        let recorder = Recorder()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(recorder) }
            }
            .connect(to: address).get()
        return RawPeer(channel: channel, recorder: recorder)
    }

    /// Wraps an accepted connection (called in its channel initializer).
    static func adopt(_ channel: Channel) throws -> RawPeer {
        let recorder = Recorder()
        try channel.pipeline.syncOperations.addHandler(recorder)
        return RawPeer(channel: channel, recorder: recorder)
    }

    /// Starts a listening session (role .listener) and connects a raw peer to it.
    static func againstListener(
        configuration: SessionConfiguration = SessionConfiguration(),
        streams: @escaping SessionPair.StreamInitializer = { $0.eventLoop.makeSucceededVoidFuture() }
    ) async throws -> (peer: RawPeer, server: Channel, group: MultiThreadedEventLoopGroup) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.addWireSession(
                        role: .listener, configuration: configuration, inboundStreamInitializer: streams)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (try await connect(to: server.localAddress!, group: group), server, group)
    }

    func send(_ frames: Frame...) async throws {
        var buffer = ByteBuffer()
        for frame in frames { buffer.writeFrame(frame) }
        try await channel.writeAndFlush(buffer)
    }

    func sendRaw(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Every frame received so far (decoded with a generous size limit).
    func received() throws -> [Frame] {
        var decoder = FrameDecoder(maxPayloadSize: FrameLimits.maximumMaxFrameSize)
        decoder.append(recorder.bytes.withLock { $0 })
        var frames: [Frame] = []
        while let frame = try decoder.nextFrame() { frames.append(frame) }
        return frames
    }

    /// Waits until a received frame matches, or the timeout passes.
    func waitFor(timeout: Duration = .seconds(5), _ match: @Sendable @escaping (Frame) -> Bool) async throws -> Frame? {
        _ = try await eventually(timeout: timeout) { try self.received().contains(where: match) }
        return try received().first(where: match)
    }

    /// Whether the other side closed the connection within the timeout.
    func closedByPeer(within timeout: Duration = .seconds(5)) async throws -> Bool {
        try await eventually(timeout: timeout) { !self.channel.isActive }
    }

    static let hello = Frame.hello(SessionConfiguration().hello)
}
