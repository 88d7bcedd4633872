import NIOCore
import NIOPosix
import Synchronization

/// A TCP relay on 127.0.0.1 that makes a loopback connection behave like a
/// long or slow link: fixed delay and a rate cap in each direction (kernel
/// netem is not available everywhere tests run). It can also freeze, dropping
/// everything, to emulate a path that died without a FIN.
public final class LinkEmulator: Sendable {
    private let server: Channel
    private let frozenFlag: Arc
    /// Where clients connect to reach `target` through the emulated link.
    public let address: SocketAddress

    private final class Arc: Sendable {
        let value = Atomic<Bool>(false)
    }

    /// Starts relaying connections on an ephemeral port to `target`.
    public init(group: EventLoopGroup, target: SocketAddress, upstream: LinkProfile, downstream: LinkProfile) async throws {
        let frozen = Arc()
        let isFrozen: @Sendable () -> Bool = { frozen.value.load(ordering: .relaxed) }
        server = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { inbound in
                // Both handlers live on the inbound channel's loop, which the
                // outbound connection shares.
                let loop = inbound.eventLoop
                let up = NIOLoopBound(DelayLineHandler(profile: upstream, frozen: isFrozen), eventLoop: loop)
                let down = NIOLoopBound(DelayLineHandler(profile: downstream, frozen: isFrozen), eventLoop: loop)
                down.value.partner = inbound
                return ClientBootstrap(group: loop)
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                    .channelInitializer { outbound in
                        outbound.eventLoop.makeCompletedFuture { try outbound.pipeline.syncOperations.addHandler(down.value) }
                    }
                    .connect(to: target)
                    .flatMap { outbound in
                        up.value.partner = outbound
                        do {
                            try inbound.pipeline.syncOperations.addHandler(up.value)
                        } catch {
                            return inbound.eventLoop.makeFailedFuture(error)
                        }
                        // Reading starts only now that both sides are wired, so no byte is lost.
                        return inbound.setOption(.autoRead, value: true)
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        frozenFlag = frozen
        address = server.localAddress!
    }

    /// While frozen, bytes in both directions are dropped.
    public func freeze(_ frozen: Bool = true) {
        frozenFlag.value.store(frozen, ordering: .relaxed)
    }

    public func close() async throws {
        try await server.close()
    }
}
