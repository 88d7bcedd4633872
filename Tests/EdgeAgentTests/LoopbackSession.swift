import NIOCore
import NIOPosix
import Wire

/// A real tunnel session over loopback TCP without TLS: the listener end is
/// what the edge holds for a home, the dialer end answers PINGs as a home
/// agent's session does. `freeze()` stops the dialer from reading, like a
/// home whose process hangs.
final class LoopbackSession: Sendable {
    let group: MultiThreadedEventLoopGroup
    let server: Channel
    let dialer: Channel
    let listener: WireSession

    init() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = group.next().makePromise(of: WireSession.self)
        server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    accepted.succeed(try channel.pipeline.syncOperations.addWireSession(role: .listener) {
                        $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
                    })
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        dialer = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.addWireSession(role: .dialer) {
                        $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
                    }
                }
            }
            .connect(to: server.localAddress!).get()
        listener = try await accepted.futureResult.get()
        _ = try await listener.ready.get()
    }

    func freeze() async throws {
        try await dialer.setOption(ChannelOptions.autoRead, value: false).get()
    }

    func close() async throws {
        try? await dialer.close()
        try? await server.close()
        try await group.shutdownGracefully()
    }
}
