import Logging
import NIOCore

/// A thread-safe handle on one session, for code running outside the
/// connection's event loop (tasks, other channels). Every call hops onto
/// the loop and acts on the `WireSessionHandler` there.
public struct WireSession: Sendable {
    private let handler: NIOLoopBound<WireSessionHandler>
    /// The tunnel connection carrying the session.
    public let channel: Channel

    init(handler: WireSessionHandler, channel: Channel) {
        self.handler = NIOLoopBound(handler, eventLoop: channel.eventLoop)
        self.channel = channel
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (WireSessionHandler) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        let handler = self.handler
        if channel.eventLoop.inEventLoop { return body(handler.value) }
        return channel.eventLoop.flatSubmit { body(handler.value) }
    }

    /// Completes with the peer's settings once HELLO was exchanged.
    public var ready: EventLoopFuture<PeerSettings> { onLoop { $0.ready } }

    /// Opens a stream naming `metadata.forward`. `initialData` travels in the
    /// OPEN frame (as far as the peer's window allows), so the first bytes cost
    /// no extra round trip. `initializer` sets up the stream's pipeline before
    /// it becomes active. Waits for HELLO if the session is not ready yet.
    public func openStream(
        metadata: StreamMetadata,
        initialData: ByteBuffer? = nil,
        compression: Bool = false,
        initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<WireStreamChannel> {
        onLoop { $0.openStream(metadata: metadata, initialData: initialData, compression: compression, initializer: initializer) }
    }

    /// Sends a CONTROL message on stream 0.
    public func sendControl(kind: UInt16, body: ByteBuffer) -> EventLoopFuture<Void> {
        onLoop { handler in
            let promise = handler.eventLoop.makePromise(of: Void.self)
            handler.sendControl(kind: kind, body: body, promise: promise)
            return promise.futureResult
        }
    }

    /// Measures one round trip.
    public func ping() -> EventLoopFuture<TimeAmount> { onLoop { $0.ping() } }

    /// Starts a graceful drain: no new streams, the connection closes when the
    /// last stream ends or, at the latest, after `timeout`. The returned future
    /// completes when the connection has closed.
    public func goAway(code: WireErrorCode = .noError, debug: String = "", timeout: TimeAmount? = nil) -> EventLoopFuture<Void> {
        let closeFuture = channel.closeFuture
        return onLoop { handler in
            handler.goAway(code: code, debug: debug, timeout: timeout)
            return closeFuture
        }
    }

    /// Bytes waiting in stream buffers for readers, connection credit held
    /// back because of them, and the connection's receive window (see the
    /// memory budget in `SessionConfiguration`).
    public var bufferedBytes: EventLoopFuture<(buffered: Int, withheldCredit: Int, connectionWindow: Int)> {
        onLoop { $0.eventLoop.makeSucceededFuture($0.bufferAccounting) }
    }

    /// Applies bandwidth limits to the session's streams, running ones
    /// included. Calls take effect in the order they were made, also when
    /// made from the connection's own event loop.
    public func setRateLimits(_ limits: SessionRateLimits) {
        let handler = self.handler
        channel.eventLoop.execute { handler.value.setRateLimits(limits) }
    }

    /// Bytes, rate and throttled time of each direction so far.
    public var traffic: EventLoopFuture<SessionTraffic> {
        onLoop { handler in
            guard let traffic = handler.traffic else {
                return handler.eventLoop.makeFailedFuture(WireSessionError.sessionClosed)
            }
            return handler.eventLoop.makeSucceededFuture(traffic)
        }
    }

    /// The number of streams open on the session right now.
    public var activeStreamCount: EventLoopFuture<Int> {
        onLoop { $0.eventLoop.makeSucceededFuture($0.activeStreams) }
    }
}

extension ChannelPipeline.SynchronousOperations {
    /// Adds a session handler at the end of the pipeline and returns its handle.
    public func addWireSession(
        role: SessionRole,
        configuration: SessionConfiguration = SessionConfiguration(),
        logger: Logger = Logger(label: "portico.wire"),
        inboundStreamInitializer: @escaping @Sendable (WireStreamChannel) -> EventLoopFuture<Void>
    ) throws -> WireSession {
        let handler = WireSessionHandler(
            role: role,
            configuration: configuration,
            logger: logger,
            inboundStreamInitializer: inboundStreamInitializer
        )
        try addHandler(handler)
        guard let channel = handler.channel else { throw ChannelError.ioOnClosedChannel }
        return WireSession(handler: handler, channel: channel)
    }
}
