import AgentRuntime
import NIOCore
import Wire

/// Hands a routed public connection to its home: opens a stream on the home's
/// session naming the forward, with the bytes already read as the OPEN's
/// first data, and splices the connection and the stream together.
struct PublicStreamOpener: Sendable {
    let sessions: HomeSessionTable
    let capacity: ForwardCapacity
    /// Where the stream-open and first-byte latencies go.
    let metrics: HomeMetrics

    /// Why a routed connection did not reach its home.
    enum Failure: Error, CustomStringConvertible {
        /// The home has no session right now.
        case homeOffline(String)
        /// The session would not open a stream (draining, stream limit, closed).
        case openFailed(home: String, any Error)
        /// The forward, or its whole home, holds as many connections as it may.
        case atCapacity(home: String, forward: String, limit: Int)
        /// The public client left while its stream was being opened.
        case clientGone(home: String)

        var description: String {
            switch self {
            case .homeOffline(let home): "home \(home) is not connected"
            case .openFailed(let home, let error): "could not open a stream to home \(home): \(NetworkErrorText.describe(error))"
            case .atCapacity(let home, let forward, let limit):
                "forward \(forward) of home \(home) is at its cap of \(limit) concurrent connections"
            case .clientGone(let home): "the client left before its stream to home \(home) was in place"
            }
        }

        /// How the listeners count it.
        var refusal: PublicRefusal {
            switch self {
            case .homeOffline, .openFailed: .homeOffline
            case .atCapacity: .atCapacity
            case .clientGone: .truncated
            }
        }
    }

    /// Opens the stream and splices. Call on `publicChannel`'s event loop.
    /// Events that arrive meanwhile wait in the connection's `InboundHold`,
    /// released once the splice is in place.
    /// `streamHandlers` are put in the stream's pipeline before the splice
    /// (for example a 502 responder on the HTTP port), `publicHandlers` in
    /// the public connection's (made on its loop; for example the guard that
    /// keeps a keep-alive connection to one destination). `acceptedAt` is
    /// when the listener accepted the connection, for its first-byte latency.
    func connect(
        _ publicChannel: Channel,
        acceptedAt: NIODeadline,
        to route: Route,
        serverName: String?,
        purpose: StreamPurpose? = nil,
        initialData: ByteBuffer,
        streamHandlers: @escaping @Sendable () -> [ChannelHandler] = { [] },
        publicHandlers: @escaping @Sendable () -> [ChannelHandler] = { [] }
    ) -> EventLoopFuture<Void> {
        let loop = publicChannel.eventLoop
        guard let (session, homeLimit) = sessions.sessionAndStreamLimit(for: route.home) else {
            return loop.makeFailedFuture(Failure.homeOffline(route.home))
        }
        let streamLimit = homeLimit ?? SessionConfiguration().maxConcurrentStreams
        guard let slot = capacity.acquire(home: route.home, forward: route.forward, homeLimit: streamLimit) else {
            let limit = capacity.limit(homeLimit: streamLimit)
            return loop.makeFailedFuture(Failure.atCapacity(home: route.home, forward: route.forward, limit: limit))
        }
        let metadata = StreamMetadata(
            forward: route.forward,
            clientAddress: publicChannel.remoteAddress.flatMap(PeerAddress.init),
            serverName: serverName,
            publicPort: publicChannel.localAddress?.port.map { UInt16(truncatingIfNeeded: $0) },
            purpose: purpose)
        let (publicEnd, streamEnd) = SpliceHandler.pair(loop, session.channel.eventLoop)
        let home = route.home
        let capacity = self.capacity
        let forward = route.forward
        let latency = metrics.latency(for: home)
        let opened = NIODeadline.now()
        return session.openStream(
            metadata: metadata,
            initialData: initialData.readableBytes > 0 ? initialData : nil,
            compression: route.compress ?? false
        ) { stream in
            stream.closeFuture.whenComplete { _ in slot.release() }
            return stream.eventLoop.makeCompletedFuture {
                let pipeline = stream.pipeline.syncOperations
                try pipeline.addHandler(StreamAnswerTimer(latency: latency, opened: opened, accepted: acceptedAt))
                try pipeline.addHandlers(streamHandlers())
                try pipeline.addHandler(streamEnd.take())
            }
        }
        .flatMapErrorThrowing { error in
            slot.release()
            if case WireSessionError.tooManyStreams(let limit) = error {
                capacity.logCap("home at its stream limit; refusing new public connections", home: home, forward: forward, limit: limit)
                throw Failure.atCapacity(home: home, forward: forward, limit: limit)
            }
            throw Failure.openFailed(home: home, error)
        }
        .hop(to: loop)
        .flatMapThrowing { stream in
            // The client may have gone while the stream was opening: then the
            // stream goes too, or it would live on and buffer what the home
            // sends for nobody.
            do {
                guard publicChannel.isActive else { throw Failure.clientGone(home: home) }
                let pipeline = publicChannel.pipeline.syncOperations
                try pipeline.addHandlers(publicHandlers())
                try pipeline.addHandler(publicEnd.take())
                pipeline.releaseHold()
                publicChannel.pipeline.fireUserInboundEventTriggered(Spliced())
            } catch {
                stream.close(promise: nil)
                throw error
            }
        }
    }

    /// Sent through the public connection's pipeline once its splice is in
    /// place and what the hold kept was replayed.
    struct Spliced: Sendable {}
}
