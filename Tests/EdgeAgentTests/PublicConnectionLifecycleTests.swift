import Dispatch
import Logging
import NIOCore
import NIOPosix
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

@Suite("Public connection lifecycle: a failure at any step closes what that step opened")
struct PublicConnectionLifecycleTests {
    /// A home whose service speaks first: 1 MiB on every stream at once.
    static let chattyHome: @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = { stream in
        stream.writeAndFlush(ByteBuffer(repeating: 0x42, count: 1 << 20)).whenFailure { _ in }
        return stream.eventLoop.makeSucceededVoidFuture()
    }

    static let route = Route(key: .port(10_000), type: .tcp, home: "alice", forward: "raw", proxyProtocol: nil, compress: nil)

    static func opener(for pair: LoopbackSessionPair) -> PublicStreamOpener {
        let sessions = HomeSessionTable()
        sessions.register(pair.edge, for: "alice")
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return PublicStreamOpener(sessions: sessions, capacity: ForwardCapacity(logger: logger), metrics: EdgeMetrics().homes)
    }

    struct SetupFailed: Error {}

    @Test("a stream whose pipeline cannot be set up is reset and closed; the home's data for it is dropped and its slot released")
    func failedStreamSetupClosesStream() async throws {
        let pair = try await LoopbackSessionPair(homeStreams: Self.chattyHome)
        let opener = Self.opener(for: pair)
        let handOver = PublicHandOver(
            route: Self.route, serverName: nil, initialData: ByteBuffer(string: "hello"),
            streamSetup: { _ in throw SetupFailed() })
        let loop = pair.group.next()
        let outcome = try await loop.flatSubmit {
            opener.open(handOver, client: nil, publicPort: nil, acceptedAt: .now(), on: loop).map { _ in "opened" }.recover { "\($0)" }
        }.get()
        #expect(outcome.contains("could not open a stream to home alice"), "\(outcome)")
        #expect(try await eventually { try await pair.edge.activeStreamCount.get() == 0 })
        // The home saw the RST: its end is gone too, and stops sending.
        #expect(try await eventually { try await pair.home.activeStreamCount.get() == 0 })
        #expect(try await eventually { try await pair.edge.bufferedBytes.get().buffered == 0 })
        #expect(opener.capacity.openConnections(home: "alice", forward: "raw") == 0)
        try await pair.shutdown()
    }

    @Test("a client gone while its stream opens: the stream is closed, not left buffering the home's data, and the refusal is counted")
    func clientGoneWhileOpeningClosesStream() async throws {
        let pair = try await LoopbackSessionPair(homeStreams: Self.chattyHome)
        let opener = Self.opener(for: pair)
        let routes = RouteTable()
        routes.replace(with: [Self.route])
        let refusals = EdgeMetrics().refusals
        let publicGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = publicGroup.next().makePromise(of: Channel.self)
        let router = TCPForwardListener(port: 10_000, routes: routes)
        let server = try await PublicListenerBootstrap(group: publicGroup, refusals: refusals)
            .bind("test port", host: "127.0.0.1", port: 0) { channel in
                try channel.pipeline.syncOperations.addHandler(
                    PublicConnectionHandler(router: router, opener: opener, refusals: refusals))
                accepted.succeed(channel)
            }

        // The session's loop is held, so the stream cannot open before the
        // client has left.
        let gate = DispatchSemaphore(value: 0)
        pair.group.next().execute { _ = gate.wait(timeout: .now() + 30) }
        let client = try await ClientBootstrap(group: publicGroup).connect(to: try #require(server.localAddress)).get()
        // Linger 0: the close below is a reset, the client gone at once.
        let options = try #require(client as? SocketOptionProvider)
        try await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        let publicChannel = try await accepted.futureResult.get()
        let opening = try await eventually { opener.capacity.openConnections(home: "alice", forward: "raw") == 1 }
        #expect(opening, "the connection never reached its opening step")
        try await client.close()
        let gone = try await eventually { !publicChannel.isActive }
        gate.signal()
        #expect(gone, "the edge never saw the client's reset")

        #expect(try await eventually { refusals.value(.truncated) == 1 })
        #expect(try await eventually { try await pair.edge.activeStreamCount.get() == 0 })
        #expect(try await eventually { try await pair.edge.bufferedBytes.get().buffered == 0 })
        #expect(try await eventually { opener.capacity.openConnections(home: "alice", forward: "raw") == 0 })
        try await server.close()
        try await publicGroup.shutdownGracefully()
        try await pair.shutdown()
    }
}
