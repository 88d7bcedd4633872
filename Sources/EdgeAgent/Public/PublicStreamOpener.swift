import AgentRuntime
import NIOCore
import Wire

/// Opens the stream a routed public connection becomes: takes a place in the
/// forward's capacity, opens a stream on the home's session naming the
/// forward, with the bytes already read as the OPEN's first data, and puts
/// the stream's end of the splice in place. The public end is handed back
/// for `PublicConnectionHandler` to put in the connection's pipeline.
///
/// What it opened it closes when a later step of its own fails: the slot if
/// the stream does not open, the stream (with an RST) if its pipeline cannot
/// be set up. Once the stream exists, the slot is released when it closes.
struct PublicStreamOpener: Sendable {
    let sessions: HomeSessionTable
    let capacity: ForwardCapacity
    /// Where the stream-open and first-byte latencies go.
    let metrics: HomeMetrics

    /// Why a routed connection did not reach its home.
    enum Failure: Error, CustomStringConvertible {
        /// The home has no session right now.
        case homeOffline(String)
        /// The session would not open a stream (draining, stream limit,
        /// closed), or the stream's or connection's pipeline could not be set up.
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

    /// A stream in place at the home's end, and the splice end that joins it
    /// to the public connection (to be added on `loop`).
    struct Opened: Sendable {
        var stream: WireStreamChannel
        var publicEnd: SpliceHandler.End
    }

    /// Opens the stream for a connection from `client` to `publicPort`; the
    /// result (a `Failure` when it fails) completes on `loop`, the public
    /// connection's event loop. `acceptedAt` is when the listener accepted
    /// the connection, for its first-byte latency.
    func open(
        _ handOver: PublicHandOver, client: SocketAddress?, publicPort: Int?, acceptedAt: NIODeadline,
        on loop: EventLoop
    ) -> EventLoopFuture<Opened> {
        let route = handOver.route
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
            clientAddress: client.flatMap(PeerAddress.init),
            serverName: handOver.serverName,
            publicPort: publicPort.map { UInt16(truncatingIfNeeded: $0) },
            purpose: handOver.purpose)
        let (publicEnd, streamEnd) = SpliceHandler.pair(loop, session.channel.eventLoop)
        let capacity = self.capacity
        let setup = handOver.streamSetup
        let latency = metrics.latency(for: route.home)
        let opened = NIODeadline.now()
        return session.openStream(
            metadata: metadata,
            initialData: handOver.initialData.readableBytes > 0 ? handOver.initialData : nil,
            compression: route.compress ?? false
        ) { stream in
            stream.closeFuture.whenComplete { _ in slot.release() }
            // A throw here makes the session reset the stream and drop what
            // the home sent on it (WireStreamChannel.activate).
            return stream.eventLoop.makeCompletedFuture {
                let pipeline = stream.pipeline.syncOperations
                try pipeline.addHandler(StreamAnswerTimer(latency: latency, opened: opened, accepted: acceptedAt))
                try setup(pipeline)
                try pipeline.addHandler(streamEnd.take())
            }
        }
        .flatMapErrorThrowing { error in
            slot.release()
            if case WireSessionError.tooManyStreams(let limit) = error {
                capacity.logCap("home at its stream limit; refusing new public connections",
                                home: route.home, forward: route.forward, limit: limit)
                throw Failure.atCapacity(home: route.home, forward: route.forward, limit: limit)
            }
            throw Failure.openFailed(home: route.home, error)
        }
        .hop(to: loop)
        .map { Opened(stream: $0, publicEnd: publicEnd) }
    }
}
