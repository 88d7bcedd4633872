import NIOCore
import NIOPosix
import Synchronization

/// A keep-alive HTTP/1.1 service "at home" for GET requests: answers each
/// request head with `200` and its own name as the body, and records every
/// head it received, so a test can tell exactly which requests reached which
/// home.
final class RecordingHTTPServer: Sendable {
    let name: String
    let channel: Channel
    private let heads: Heads

    private final class Heads: Sendable {
        let value = Mutex<[String]>([])
    }

    var port: Int { channel.localAddress?.port ?? 0 }

    /// Every request head received so far, in order.
    var received: [String] { heads.value.withLock { $0 } }

    init(name: String) async throws {
        self.name = name
        let heads = Heads()
        self.heads = heads
        let body = name
        channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(Responder(body: body) { head in
                        heads.value.withLock { $0.append(head) }
                    })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func close() async {
        try? await channel.close()
    }
}

private final class Responder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let body: String
    private let record: @Sendable (String) -> Void
    private var pending: [UInt8] = []

    init(body: String, record: @escaping @Sendable (String) -> Void) {
        self.body = body
        self.record = record
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pending += unwrapInboundIn(data).readableBytesView
        while let end = Self.headEnd(pending) {
            record(String(decoding: pending[..<end], as: UTF8.self))
            pending.removeFirst(end)
            let answer = "HTTP/1.1 200 OK\r\nContent-Length: \(body.utf8.count)\r\nContent-Type: text/plain\r\n\r\n\(body)"
            context.write(wrapOutboundOut(context.channel.allocator.buffer(string: answer)), promise: nil)
        }
        context.flush()
    }

    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 3..<bytes.count where bytes[index - 3...index].elementsEqual([13, 10, 13, 10]) { return index + 1 }
        return nil
    }
}
