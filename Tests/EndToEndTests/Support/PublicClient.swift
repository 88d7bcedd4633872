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
        let collector = Collector()
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
        return try await channel.eventLoop.submit { collector.received }.get()
    }

    /// Random bytes reproducible from `seed`.
    static func payload(_ count: Int, seed: UInt64) -> [UInt8] {
        var random = SeededRandom(seed: seed)
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            let value = random.next()
            for shift in stride(from: 0, to: 64, by: 8) where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: value >> UInt64(shift))
                index += 1
            }
        }
        return bytes
    }
}

private final class Collector: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `received` is touched only on the channel's event loop.
    typealias InboundIn = ByteBuffer

    var received: [UInt8] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytesView
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { context.close(promise: nil) }
    }
}
