import Foundation
import NIOCore
import NIOPosix

/// The CLI's side of the admin socket.
enum AdminSocketClient {
    /// Sends one request and returns the reply; throws when no agent answers
    /// at `path` (not running) or the reply is not understood.
    static func send(
        _ request: AdminRequest, to path: String, timeout: TimeAmount = .seconds(30),
        group: EventLoopGroup
    ) async throws -> AdminReply {
        var line = try AdminSocketCoding.encoder.encode(request)
        line.append(UInt8(ascii: "\n"))
        let reply = try await rawExchange(Array(line), path: path, halfClose: false, timeout: timeout, group: group)
        return try AdminSocketCoding.decoder.decode(AdminReply.self, from: Data(reply))
    }

    /// Sends `bytes` as they are (also how tests send malformed input),
    /// optionally half-closes, and returns everything the agent sent before
    /// closing. Throws when nothing listens at `path`.
    static func rawExchange(
        _ bytes: [UInt8], path: String, halfClose: Bool, timeout: TimeAmount = .seconds(15),
        group: EventLoopGroup
    ) async throws -> [UInt8] {
        let collector = ReplyCollector()
        let bootstrap = ClientBootstrap(group: group)
            .connectTimeout(.seconds(2))
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
        let channel = try await UnixSocketPath.withAddressable(path) { address in
            try await bootstrap.connect(unixDomainSocketPath: address).get()
        }
        try? await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
        if halfClose { try? await channel.close(mode: .output).get() }
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        timer.cancel()
        return try await channel.eventLoop.submit { Array(collector.received.readableBytesView) }.get()
    }
}

/// Collects the reply until the agent closes the connection.
private final class ReplyCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `received` is only touched on the channel's event loop
    // (channelRead and the `submit` that reads it after close).
    typealias InboundIn = ByteBuffer

    var received = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        guard received.readableBytes < 1 << 20 else { return context.close(promise: nil) }
        received.writeBuffer(&bytes)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }
}
