import NIOCore
import NIOPosix
import TestSupport

/// A public client on loopback: sends its bytes, half-closes, and collects
/// everything the other side sends until it closes.
enum PublicClient {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func exchange(
        port: Int, sending bytes: [UInt8], chunk: Int = 64 * 1024, timeout: Duration = .seconds(30),
        group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> [UInt8] {
        let collector = ByteCollector()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunk, bytes.count)
            try await channel.writeAndFlush(ByteBuffer(bytes: bytes[offset..<end])).get()
            offset = end
        }
        try? await channel.close(mode: .output).get()
        let timer = channel.eventLoop.scheduleTask(in: .nanoseconds(Int64(timeout.components.seconds) * 1_000_000_000)) {
            channel.close(promise: nil)
        }
        try? await channel.closeFuture.get()
        timer.cancel()
        return try await channel.eventLoop.submit { Array(collector.received.readableBytesView) }.get()
    }

    /// Random bytes reproducible from `seed`.
    static func payload(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        var words = [UInt64](repeating: 0, count: (count + 7) / 8)
        for index in words.indices { words[index] = random.next() }
        return words.withUnsafeBytes { Array($0.prefix(count)) }
    }
}

/// Collects what a public connection receives, and closes it when the other
/// side has finished sending.
final class ByteCollector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `received` is touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer

    /// A ByteBuffer rather than an array: appending stays a memcpy even in
    /// debug builds, so a large echo does not hold the event loop.
    var received = ByteBuffer()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }
}
