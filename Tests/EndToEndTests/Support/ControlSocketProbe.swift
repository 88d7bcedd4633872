import NIOCore
import NIOPosix

/// One request line to a running agent's control socket, and its reply.
enum ControlSocketProbe {
    static func request(
        _ line: String, path: String, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) async throws -> String {
        let collector = ByteCollector()
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.allowRemoteHalfClosure, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
            }
            .connect(unixDomainSocketPath: path).get()
        try await channel.writeAndFlush(ByteBuffer(string: line + "\n")).get()
        let timer = channel.eventLoop.scheduleTask(in: .seconds(10)) { channel.close(promise: nil) }
        try? await channel.closeFuture.get()
        timer.cancel()
        return try await channel.eventLoop.submit { String(buffer: collector.received) }.get()
    }
}
