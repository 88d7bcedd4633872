import NIOCore
import NIOPosix
import TestSupport

/// A bulk service "at home" for bandwidth tests, and the public client that
/// drives it. The client's first byte picks the direction: `U` makes the
/// service send without end (the home's upload, measured where the public
/// client receives it), `D` makes it count what the client floods (the
/// download, measured where it lands at home). Both ends write only while
/// their socket takes more, so nothing piles up in memory.
final class BulkServer: Sendable {
    let channel: Channel
    /// What every `D` connection delivered, in arrival order.
    let downloads = ArrivalLog()

    var port: Int { channel.localAddress!.port! }

    init() async throws {
        let downloads = self.downloads
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BulkServiceHandler(downloads: downloads))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// One public connection to a bulk service through the edge.
final class BulkClient: Sendable {
    enum Direction: UInt8 {
        case upload = 0x55  // "U"
        case download = 0x44  // "D"
    }

    let channel: Channel
    /// Bytes the service sent (uploads only).
    let received = ArrivalLog()

    init(port: Int, direction: Direction) async throws {
        let received = self.received
        channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    switch direction {
                    case .upload: try sync.addHandler(ArrivalHandler(log: received))
                    case .download: try sync.addHandler(FloodWriter())
                    }
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        try await channel.writeAndFlush(ByteBuffer(bytes: [direction.rawValue]))
    }

    func close() async {
        try? await channel.close()
    }
}

/// The service side: waits for the direction byte, then floods or counts.
private final class BulkServiceHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let downloads: ArrivalLog
    private var decided = false

    init(downloads: ArrivalLog) { self.downloads = downloads }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if !decided, let first = bytes.readInteger(as: UInt8.self) {
            decided = true
            if first == BulkClient.Direction.upload.rawValue {
                try? context.pipeline.syncOperations.addHandler(FloodWriter(), position: .after(self))
            }
        }
        if bytes.readableBytes > 0 { downloads.record(bytes.readableBytes) }
    }
}

/// Writes 64 KiB chunks of zeros whenever the channel is writable.
private final class FloodWriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private static let chunk = ByteBuffer(repeating: 0, count: 65_536)

    func channelActive(context: ChannelHandlerContext) {
        fill(context)
        context.fireChannelActive()
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { fill(context) }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        fill(context)
        context.fireChannelWritabilityChanged()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}

    private func fill(_ context: ChannelHandlerContext) {
        var wrote = false
        while context.channel.isWritable, context.channel.isActive {
            context.write(wrapOutboundOut(Self.chunk), promise: nil)
            wrote = true
        }
        if wrote { context.flush() }
    }
}

/// Records the bytes a connection receives.
private final class ArrivalHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let log: ArrivalLog

    init(log: ArrivalLog) { self.log = log }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        log.record(unwrapInboundIn(data).readableBytes)
    }
}
