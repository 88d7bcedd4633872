import NIOCore
import NIOPosix

/// A public connection the test keeps open and feeds in steps, to have a
/// stream in flight while something else happens (a drain, a reload).
final class HeldConnection: @unchecked Sendable {
    // @unchecked: `received` is only touched on the channel's event loop.

    let channel: Channel
    private let collector: ByteCollector

    init(port: Int, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws {
        let collector = ByteCollector()
        self.collector = collector
        channel = try await ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(host: "127.0.0.1", port: port).get()
    }

    func send(_ bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes)).get()
    }

    /// How many bytes came back so far.
    var receivedCount: Int {
        get async throws { try await channel.eventLoop.submit { self.collector.received.readableBytes }.get() }
    }

    /// Everything that came back so far.
    var received: [UInt8] {
        get async throws { try await channel.eventLoop.submit { Array(self.collector.received.readableBytesView) }.get() }
    }

    /// Half-closes, waits for the other side to finish, returns everything received.
    func finish(timeout: TimeAmount = .seconds(20)) async throws -> [UInt8] {
        try? await channel.close(mode: .output).get()
        let channel = self.channel
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        timer.cancel()
        return try await channel.eventLoop.submit { Array(self.collector.received.readableBytesView) }.get()
    }
}
