import NIOCore
import NIOPosix
import Synchronization

/// A TCP echo service "at home" on 127.0.0.1: returns every byte, passes a
/// half-close back, and keeps the first bytes of each connection so tests
/// can look at what reached the service (a PROXY header, a request head).
final class EchoServer: Sendable {
    let channel: Channel
    private let firstBytes: Recorder

    private final class Recorder: Sendable {
        let value = Mutex<[[UInt8]]>([])
    }

    var port: Int { channel.localAddress!.port! }

    /// The first up-to-256 bytes of every connection so far, in arrival order.
    var connections: [[UInt8]] { firstBytes.value.withLock { $0 } }

    /// `port` 0 takes any free port.
    init(port: Int = 0, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        let firstBytes = Recorder()
        self.firstBytes = firstBytes
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(EchoHandler(record: { bytes in
                        firstBytes.value.withLock { $0.append(bytes) }
                    }))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
    }

    func close() async {
        try? await channel.close()
    }
}

private final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let record: @Sendable ([UInt8]) -> Void
    private var head: [UInt8] = []
    private var recorded = false

    init(record: @escaping @Sendable ([UInt8]) -> Void) {
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if !recorded {
            head += bytes.readableBytesView.prefix(256 - head.count)
            if head.count >= 256 { flushRecord() }
        }
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            flushRecord()
            context.close(mode: .output, promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        flushRecord()
    }

    private func flushRecord() {
        guard !recorded else { return }
        recorded = true
        record(head)
    }
}
