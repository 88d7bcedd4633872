import NIOCore
import NIOPosix
import Wire

/// A home-side and an edge-side session over a real TCP connection on
/// 127.0.0.1, without TLS: the edge end is what the edge holds for a home,
/// the home end answers PINGs as a home agent's session does.
struct LoopbackSessionPair {
    let group: MultiThreadedEventLoopGroup
    let server: Channel
    let home: WireSession
    let edge: WireSession
    /// The GOAWAYs the home end received, as (code, Debug Data).
    private let homeGoAways: GoAwayRecorder

    /// `homeStreams` sets up the streams the edge opens, at the home.
    init(
        homeStreams: @escaping @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = { $0.eventLoop.makeSucceededVoidFuture() }
    ) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = group.next().makePromise(of: WireSession.self)
        let noStreams: @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = { $0.eventLoop.makeSucceededVoidFuture() }
        server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    accepted.succeed(try channel.pipeline.syncOperations.addWireSession(
                        role: .listener, inboundStreamInitializer: noStreams))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let dialed = group.next().makePromise(of: WireSession.self)
        let recorder = GoAwayRecorder()
        homeGoAways = recorder
        _ = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = try channel.pipeline.syncOperations.addWireSession(
                        role: .dialer, inboundStreamInitializer: homeStreams)
                    try channel.pipeline.syncOperations.addHandler(recorder)
                    dialed.succeed(session)
                }
            }
            .connect(to: server.localAddress!).get()
        home = try await dialed.futureResult.get()
        edge = try await accepted.futureResult.get()
        _ = try await home.ready.get()
        _ = try await edge.ready.get()
    }

    /// The GOAWAYs the home end received so far.
    var goAwaysReceivedByHome: [GoAwayRecorder.Received] {
        get async throws {
            let recorder = homeGoAways
            return try await home.channel.eventLoop.submit { recorder.received }.get()
        }
    }

    /// The home stops reading, like a home agent whose process hangs.
    func freeze() async throws {
        try await home.channel.setOption(ChannelOptions.autoRead, value: false).get()
    }

    func shutdown() async throws {
        try? await home.channel.close()
        try? await server.close()
        try await group.shutdownGracefully()
    }
}

/// Records the GOAWAYs a session reports (`SessionEvent.goAway`). Touched
/// only on its channel's event loop.
final class GoAwayRecorder: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: `received` is read and written on the channel's loop only.
    typealias InboundIn = ByteBuffer

    struct Received: Equatable, Sendable {
        var code: WireErrorCode
        var debug: String
    }

    private(set) var received: [Received] = []

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case SessionEvent.goAway(let code, let debug) = event { received.append(Received(code: code, debug: debug)) }
        context.fireUserInboundEventTriggered(event)
    }
}
