import NIOCore
@testable import Wire

/// Writes chunks while the channel is writable, up to `limit` bytes, and
/// counts what it wrote: a well-behaved producer, as the agents' glue is.
final class FloodHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    // Touched only on the channel's event loop.
    private(set) var written = 0
    let chunk: Int
    let limit: Int

    init(chunk: Int = 16_384, limit: Int = 64 * 1024 * 1024) {
        self.chunk = chunk
        self.limit = limit
    }

    func channelActive(context: ChannelHandlerContext) {
        fill(context)
        context.fireChannelActive()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        fill(context)
        context.fireChannelWritabilityChanged()
    }

    private func fill(_ context: ChannelHandlerContext) {
        var wrote = false
        while context.channel.isWritable, written < limit {
            let size = min(chunk, limit - written)
            context.write(NIOAny(ByteBuffer(repeating: 0x5A, count: size)), promise: nil)
            written += size
            wrote = true
        }
        if wrote { context.flush() }
    }
}

/// Counts bytes received and whether the input ended.
final class CountHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    // Touched only on the channel's event loop.
    private(set) var received = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        received += unwrapInboundIn(data).readableBytes
    }
}

/// Snapshot of a stream's flow-control numbers, taken on its event loop.
struct StreamNumbers: Sendable {
    var queued: Int
    var sendWindow: Int
    var inboundBuffered: Int
    var receiveWindow: Int

    static func of(_ stream: WireStreamChannel) async throws -> StreamNumbers {
        try await stream.eventLoop.submit {
            StreamNumbers(
                queued: stream.queuedBytes,
                sendWindow: stream.sendWindow.available,
                inboundBuffered: stream.inboundBytes,
                receiveWindow: stream.receiveWindow.size
            )
        }.get()
    }
}
