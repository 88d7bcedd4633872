import Logging
import NIOCore
import NIOPosix
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

@Suite("Public stream opener: nothing outlives a failed hand-over")
struct PublicStreamOpenerTests {
    /// A home whose service speaks first: 1 MiB on every stream at once.
    static let chattyHome: @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = { stream in
        stream.writeAndFlush(ByteBuffer(repeating: 0x42, count: 1 << 20)).whenFailure { _ in }
        return stream.eventLoop.makeSucceededVoidFuture()
    }

    @Test("a client gone before its stream was in place: the stream is closed, not left buffering the home's data")
    func clientGoneClosesStream() async throws {
        let pair = try await LoopbackSessionPair(homeStreams: Self.chattyHome)
        let sessions = HomeSessionTable()
        sessions.register(pair.edge, for: "alice")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let opener = PublicStreamOpener(sessions: sessions, capacity: ForwardCapacity(logger: logger))
        let route = Route(key: .port(10_000), type: .tcp, home: "alice", forward: "raw")

        // A real public connection, accepted the way the listeners accept them, then gone.
        let accepted = pair.group.next().makePromise(of: Channel.self)
        let server = try await ServerBootstrap(group: pair.group)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(InboundHold())
                    accepted.succeed(channel)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: pair.group).connect(to: try #require(server.localAddress)).get()
        let publicChannel = try await accepted.futureResult.get()
        try await client.close()
        try await publicChannel.closeFuture.get()
        let outcome = try await publicChannel.eventLoop.flatSubmit {
            opener.connect(publicChannel, to: route, serverName: nil, initialData: ByteBuffer())
                .map { "spliced" }.recover { "\($0)" }
        }.get()
        #expect(outcome.contains("client left"), "\(outcome)")
        #expect(try await eventually { try await pair.edge.activeStreamCount.get() == 0 })
        #expect(try await eventually { try await pair.edge.bufferedBytes.get().buffered == 0 })
        #expect(opener.capacity.openConnections(home: "alice", forward: "raw") == 0)
        try await server.close()
        try await pair.shutdown()
    }
}
