import NIOCore
import NIOPosix
@testable import Wire

/// Two sessions over a real TCP connection on 127.0.0.1: the dialer (home
/// side) and the listener (edge side). `transport` lets a test put TLS or a
/// relay under the session.
final class SessionPair: Sendable {
    let group: MultiThreadedEventLoopGroup
    let server: Channel
    let dialer: WireSession
    let listener: WireSession

    typealias StreamInitializer = @Sendable (WireStreamChannel) -> EventLoopFuture<Void>

    init(
        configuration: SessionConfiguration = SessionConfiguration(),
        listenerConfiguration: SessionConfiguration? = nil,
        dialerStreams: @escaping StreamInitializer = { $0.eventLoop.makeSucceededVoidFuture() },
        listenerStreams: @escaping StreamInitializer = { $0.eventLoop.makeSucceededVoidFuture() },
        threads: Int = 2,
        tls: (server: TLSConfiguration, client: TLSConfiguration)? = nil,
        connectTo: ((SocketAddress) async throws -> SocketAddress)? = nil
    ) async throws {
        let serverTLS = try tls.map { try TLSContext(configuration: $0.server) }
        let clientTLS = try tls.map { try TLSContext(configuration: $0.client) }
        group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let accepted = group.next().makePromise(of: WireSession.self)
        let listenerConfig = listenerConfiguration ?? configuration
        server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(TunnelSocketOptions.notSentLowWatermark, value: TunnelSocketOptions.notSentLowWatermarkBytes)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let serverTLS { try channel.pipeline.syncOperations.addHandler(TLSHandler(context: serverTLS)) }
                    let session = try channel.pipeline.syncOperations.addWireSession(
                        role: .listener, configuration: listenerConfig, inboundStreamInitializer: listenerStreams)
                    accepted.succeed(session)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var target = server.localAddress!
        if let connectTo { target = try await connectTo(target) }
        let client = try await ClientBootstrap(group: group)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .channelOption(TunnelSocketOptions.notSentLowWatermark, value: TunnelSocketOptions.notSentLowWatermarkBytes)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let clientTLS { try channel.pipeline.syncOperations.addHandler(TLSHandler(context: clientTLS)) }
                    _ = try channel.pipeline.syncOperations.addWireSession(
                        role: .dialer, configuration: configuration, inboundStreamInitializer: dialerStreams)
                }
            }
            .connect(to: target).get()
        dialer = try await client.pipeline.handler(type: WireSessionHandler.self).map {
            WireSession(handler: $0, channel: client)
        }.get()
        listener = try await accepted.futureResult.get()
        _ = try await dialer.ready.get()
        _ = try await listener.ready.get()
    }

    func shutdown() async throws {
        try? await dialer.channel.close()
        try? await server.close()
        try await group.shutdownGracefully()
    }
}

/// Echoes every byte back, reading only while the channel can take writes,
/// and half-closes its output when the input ends.
final class EchoHandler: ChannelDuplexHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func read(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { context.read() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            context.close(mode: .output, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Collects everything a stream receives until its input closes.
final class CollectHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    // Touched only on the channel's event loop.
    private var received: ByteBuffer
    let done: EventLoopPromise<ByteBuffer>

    init(eventLoop: EventLoop) {
        received = ByteBuffer()
        done = eventLoop.makePromise()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { done.succeed(received) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        done.succeed(received)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        done.fail(ChannelError.ioOnClosedChannel)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        done.fail(error)
    }
}

extension Channel {
    /// Lets the stream see the end of input as an event instead of closing.
    func allowHalfClosure() -> EventLoopFuture<Void> {
        setOption(ChannelOptions.allowRemoteHalfClosure, value: true)
    }
}
