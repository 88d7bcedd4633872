import NIOCore
import NIOPosix
import Synchronization
import Wire

/// A service "at home" that speaks first, the way SMTP, SSH and MySQL do,
/// behind `proxy_protocol: v2`: it reads the PROXY v2 header, then sends its
/// banner without waiting for anything else. It keeps each header it read,
/// so tests can check what reached it.
final class BannerServer: Sendable {
    static let banner = Array("220 home.example ESMTP ready\r\n".utf8)

    let channel: Channel
    private let recorded: Recorder

    private final class Recorder: Sendable {
        let headers = Mutex<[ProxyProtocolV2Header]>([])
    }

    var port: Int { channel.localAddress!.port! }

    /// The PROXY headers of every connection so far, in arrival order.
    var headers: [ProxyProtocolV2Header] { recorded.headers.withLock { $0 } }

    init(group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        let recorded = Recorder()
        self.recorded = recorded
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BannerHandler { header in
                        recorded.headers.withLock { $0.append(header) }
                    })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

/// Waits for a whole PROXY v2 header, then sends the banner; closes the
/// connection on anything that is not a header.
private final class BannerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let record: @Sendable (ProxyProtocolV2Header) -> Void
    private var pending = ByteBuffer()
    private var greeted = false

    init(record: @escaping @Sendable (ProxyProtocolV2Header) -> Void) {
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !greeted else { return }
        var bytes = unwrapInboundIn(data)
        pending.writeBuffer(&bytes)
        do {
            guard let header = try ProxyProtocolV2Header.read(from: &pending) else { return }
            greeted = true
            record(header)
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: BannerServer.banner)), promise: nil)
        } catch {
            context.close(promise: nil)
        }
    }
}
