import AgentRuntime
import NIOCore
import NIOPosix
import Synchronization
import Wire

/// What every public listener shares: socket options, the cap on open
/// connections, and the state public connections start in (auto-read off,
/// so nothing is read before the connection is routed; remote half-closure
/// on, so a client that sends its request and shuts its side still gets the
/// answer).
struct PublicListenerBootstrap: Sendable {
    /// Connections one listener keeps open at most; beyond it new ones are
    /// closed on accept and counted.
    var maximumConnections = 16_384
    var group: EventLoopGroup
    var refusals: PublicRefusalCounters

    /// Binds `host:port`; a failure names the listener (`listener`, e.g.
    /// "public TLS port") and its address.
    func bind(
        _ listener: String, host: String, port: Int,
        initialize: @escaping @Sendable (Channel) throws -> Void
    ) async throws -> Channel {
        let open = Atomic<Int>(0)
        let limit = maximumConnections
        let refusals = self.refusals
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                let count = open.add(1, ordering: .relaxed).newValue
                channel.closeFuture.whenComplete { _ in open.subtract(1, ordering: .relaxed) }
                guard count <= limit else {
                    refusals.count(.tooManyConnections)
                    return channel.close()
                }
                return channel.eventLoop.makeCompletedFuture { try initialize(channel) }
            }
        return try await ListenError.naming(listener, host: host, port: port) {
            try await bootstrap.bind(host: host, port: port).get()
        }
    }
}
