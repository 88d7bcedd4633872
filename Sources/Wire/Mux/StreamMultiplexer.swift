import NIOCore

/// Routes stream frames to their `WireStreamChannel`s, keeps the connection's
/// flow-control windows, and schedules outgoing DATA fairly.
///
/// The multiplexer does no I/O of its own: frames go out through its
/// `FrameSink` (the session handler), which alone decides when to flush and
/// when to end the session. It runs on the connection's event loop only.
///
/// Ownership: the session handler owns the multiplexer; streams and timers
/// refer to it weakly. The multiplexer holds the connection strongly, as its
/// streams do, so nothing it reaches can have been freed: a caller that hops
/// onto the loop after the connection closed finds a closed session, never
/// freed memory. The cycle connection → pipeline → handler → multiplexer →
/// connection ends when the closed connection removes its handlers. The sink
/// is weak: once the handler is gone, frames have nowhere to go and writes
/// fail with `sessionClosed`.
final class StreamMultiplexer {
    let role: SessionRole
    let configuration: SessionConfiguration
    private weak var sink: (any FrameSink)?
    let parent: Channel
    private let eventLoop: EventLoop
    private let allocator: ByteBufferAllocator

    private(set) var streams: [StreamID: WireStreamChannel] = [:]
    private var scheduler = StreamScheduler()
    private var nextLocalID: StreamID
    private(set) var lastPeerStreamID = StreamID.connection
    private var localStreamCount = 0
    private var peerStreamCount = 0

    private var peer: PeerSettings?
    private var compressionNegotiated = false
    private var connectionSend = SendWindow(0)
    private var connectionReceive: ConnectionReceiveBudget
    /// Sum of the receive windows of live streams; growth stays within the memory budget.
    private var committedWindow = 0

    /// Peer streams above this id are refused: we sent GOAWAY ([DRAIN-2]).
    private var refusingAbove: StreamID?
    /// We received GOAWAY: no new local streams.
    private(set) var peerGoingAway = false

    /// Paces the DATA we send; the scheduler waits for its tokens.
    private(set) var sendPacer: TrafficPacer!
    /// Paces the peer's DATA as streams hand it to their readers.
    private(set) var delivery: DeliveryQueue!

    var inboundInitializer: @Sendable (WireStreamChannel) -> EventLoopFuture<Void>

    init(
        role: SessionRole,
        configuration: SessionConfiguration,
        sink: FrameSink,
        parent: Channel,
        inboundInitializer: @escaping @Sendable (WireStreamChannel) -> EventLoopFuture<Void>
    ) {
        self.role = role
        self.configuration = configuration
        self.sink = sink
        self.parent = parent
        self.eventLoop = parent.eventLoop
        self.allocator = parent.allocator
        self.nextLocalID = role.firstStreamID
        self.inboundInitializer = inboundInitializer
        self.connectionReceive = ConnectionReceiveBudget(
            initialWindow: configuration.initialConnectionWindow, memoryBudget: configuration.memoryBudget)
        self.sendPacer = TrafficPacer(eventLoop: parent.eventLoop) { [weak self] in self?.sendPending() }
        self.delivery = DeliveryQueue(eventLoop: parent.eventLoop) { [weak self] id in
            self?.streams[id]?.resumeDelivery()
        }
    }

    var isIdle: Bool { streams.isEmpty }
    var connectionWindowSize: Int { connectionReceive.window.size }
    /// Bytes received on all streams and not yet read by their pipelines.
    var bufferedBytes: Int { connectionReceive.bufferedBytes }
    /// Connection credit held back while `bufferedBytes` exceeds the budget.
    var withheldCredit: Int { connectionReceive.withheldCredit }

    /// Applies the peer's HELLO.
    func configure(peer settings: PeerSettings) {
        peer = settings
        connectionSend = SendWindow(settings.initialConnectionWindow)
        compressionNegotiated = configuration.compression && settings.capabilities.contains(.lz4)
    }

    // MARK: Inbound frames

    /// Handles a stream-level frame; a thrown error ends the session.
    func handle(_ frame: Frame) throws(WireProtocolError) {
        switch frame {
        case .open(let id, let metadata, let initialData):
            try receiveOpen(id, metadata, initialData)
        case .data(let id, let payload):
            try receiveData(id, payload)
        case .windowUpdate(let id, let increment):
            try receiveWindowUpdate(id, increment)
        case .fin(let id):
            try liveStream(id, frame: "FIN")?.receiveFIN()
        case .rst(let id, let code):
            try liveStream(id, frame: "RST")?.receiveReset(code)
        case .hello, .ping, .pong, .goAway, .control, .unknown:
            assertionFailure("connection frame routed to the multiplexer")
        }
    }

    private func receiveOpen(_ id: StreamID, _ metadata: StreamMetadata, _ initialData: ByteBuffer) throws(WireProtocolError) {
        guard id.isAllocated(by: role.peer) else {
            throw WireProtocolError(.protocolError, "OPEN of stream \(id), whose id belongs to us")
        }
        guard id > lastPeerStreamID else {
            throw WireProtocolError(.protocolError, "OPEN of stream \(id) after stream \(lastPeerStreamID): ids must increase")
        }
        lastPeerStreamID = id
        let length = initialData.readableBytes
        try receiveOnConnection(length)
        guard length <= configuration.initialStreamWindow else {
            throw WireProtocolError(.flowControlError, "OPEN carries \(length) bytes, above the \(configuration.initialStreamWindow)-byte stream window")
        }
        let refused = refusingAbove.map { id > $0 } ?? false
        // [LIMIT-3] Refused, not an error: the peer may retry on another session.
        guard !refused, peerStreamCount < configuration.maxConcurrentStreams else {
            drained(length)
            return send(.rst(id, .refusedStream))
        }
        var window = ReceiveWindow(size: configuration.initialStreamWindow, maximumSize: configuration.maxStreamWindow)
        try window.receive(length)
        let stream = makeStream(id, metadata, receiveWindow: window)
        peerStreamCount += 1
        stream.receive(initialData)
        stream.activate { [inboundInitializer, stream] _ in inboundInitializer(stream) }
            .whenFailure { _ in }
    }

    private func receiveData(_ id: StreamID, _ payload: DataPayload) throws(WireProtocolError) {
        let length = payload.decodedLength
        try receiveOnConnection(length)
        guard let stream = try liveStream(id, frame: "DATA"), stream.acceptsData() else {
            // Stale, after FIN, or nobody reads (the stream was reset): the
            // bytes go nowhere, so their credit comes back now.
            drained(length)
            return
        }
        try stream.receiveWindow.receive(length)
        switch payload {
        case .plain(let bytes):
            stream.receive(bytes)
        case .lz4(let decodedLength, let block):
            guard configuration.compression else {
                throw WireProtocolError(.protocolError, "compressed DATA, but we did not offer lz4")
            }
            stream.receive(try LZ4.decompress(block, decodedLength: decodedLength, allocator: allocator))
        }
    }

    private func receiveWindowUpdate(_ id: StreamID, _ increment: UInt32) throws(WireProtocolError) {
        if id.isConnection {
            try connectionSend.grant(increment)
            return
        }
        guard let stream = try liveStream(id, frame: "WINDOW_UPDATE") else { return }
        try stream.sendWindow.grant(increment)
        stream.updateWritability()
        if stream.hasSendableWork { scheduler.enqueue(id) }
    }

    /// Counts DATA against the connection window; its credit goes back
    /// unless the session's buffers are over budget ([FLOW-6]).
    private func receiveOnConnection(_ length: Int) throws(WireProtocolError) {
        sendConnectionCredit(try connectionReceive.receive(length, rtt: sink?.smoothedRTT))
    }

    /// Bytes left a stream's buffer (read by its pipeline, or dropped when the
    /// stream ended): release connection credit held back for them.
    func drained(_ bytes: Int) {
        sendConnectionCredit(connectionReceive.drained(bytes, rtt: sink?.smoothedRTT))
    }

    private func sendConnectionCredit(_ increment: UInt32?) {
        guard let increment else { return }
        send(.windowUpdate(.connection, increment: increment))
        sink?.flushSoon()
    }

    /// The stream for a frame, nil if it already closed (the frame is stale and
    /// ignored, [STREAM-6]); a frame for a stream never opened is an error.
    private func liveStream(_ id: StreamID, frame: String) throws(WireProtocolError) -> WireStreamChannel? {
        if let stream = streams[id] { return stream }
        let opened = id.isAllocated(by: role) ? id < nextLocalID : id <= lastPeerStreamID
        guard opened else {
            throw WireProtocolError(.protocolError, "\(frame) for stream \(id), which was never opened")
        }
        return nil
    }

    /// Queues a frame on the connection; with the session handler gone, the
    /// frame has nowhere to go and its promise fails.
    private func send(_ frame: Frame, promise: EventLoopPromise<Void>? = nil) {
        guard let sink else { return promise?.fail(WireSessionError.sessionClosed) ?? () }
        sink.write(frame, promise: promise)
    }

    // MARK: Opening streams

    /// Opens a stream; `initialData` rides in the OPEN frame as far as the
    /// peer's window and frame size allow, the rest follows as DATA ([OPEN-4]).
    func openStream(
        metadata: StreamMetadata,
        initialData: ByteBuffer?,
        compression: Bool,
        initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<WireStreamChannel> {
        guard let peer else { return eventLoop.makeFailedFuture(WireSessionError.sessionClosed) }
        guard refusingAbove == nil, !peerGoingAway else { return eventLoop.makeFailedFuture(WireSessionError.goingAway) }
        guard localStreamCount < peer.maxConcurrentStreams else {
            return eventLoop.makeFailedFuture(WireSessionError.tooManyStreams(limit: peer.maxConcurrentStreams))
        }
        guard nextLocalID <= .maximum else { return eventLoop.makeFailedFuture(WireSessionError.streamIDsExhausted) }
        if let problem = metadata.problem {
            // Caught here, because the peer would have to end the whole session for it ([OPEN-3]).
            return eventLoop.makeFailedFuture(WireSessionError.invalidMetadata(problem))
        }

        let id = nextLocalID
        nextLocalID = StreamID(id.rawValue + 2)
        var rest = initialData ?? allocator.buffer(capacity: 0)
        // Metadata takes at most 549 bytes; 1 KiB of headroom keeps OPEN within the frame limit.
        let inline = min(
            rest.readableBytes, peer.initialStreamWindow, connectionSend.available, peer.maxFrameSize - 1024,
            sendPacer.allowance())
        let first = rest.readSlice(length: max(0, inline))!
        connectionSend.consume(first.readableBytes)
        sendPacer.spend(first.readableBytes)

        let window = ReceiveWindow(size: configuration.initialStreamWindow, maximumSize: configuration.maxStreamWindow)
        let stream = makeStream(id, metadata, receiveWindow: window)
        stream.sendWindow.consume(first.readableBytes)
        stream.compression = compression
        localStreamCount += 1
        send(.open(id, metadata, initialData: first))
        sink?.flushSoon()
        let remainder = rest
        return stream.activate(initializer: initializer).map {
            if remainder.readableBytes > 0 { stream.writeAndFlush(remainder, promise: nil) }
            return stream
        }
    }

    private func makeStream(_ id: StreamID, _ metadata: StreamMetadata, receiveWindow: ReceiveWindow) -> WireStreamChannel {
        let stream = WireStreamChannel(
            streamID: id,
            metadata: metadata,
            parent: parent,
            multiplexer: self,
            sendWindow: peer?.initialStreamWindow ?? 0,
            receiveWindow: receiveWindow
        )
        streams[id] = stream
        committedWindow += receiveWindow.size
        return stream
    }

    // MARK: Called by stream channels

    func streamHasWork(_ stream: WireStreamChannel) {
        guard stream.hasSendableWork else { return }
        scheduler.enqueue(stream.streamID)
        sendPending()
    }

    /// The pipeline consumed `bytes`: return stream credit, growing the window
    /// if the budget allows.
    func consumed(_ bytes: Int, on stream: WireStreamChannel) {
        guard stream.machine.receives else { return }
        let allowance = configuration.memoryBudget - committedWindow
        guard let (increment, growth) = stream.receiveWindow.consume(bytes, now: .now(), rtt: sink?.smoothedRTT, growthAllowance: allowance)
        else { return }
        committedWindow += growth
        send(.windowUpdate(stream.streamID, increment: increment))
        sink?.requestRTTSample()
        sink?.flushSoon()
    }

    func sendReset(_ id: StreamID, _ code: WireErrorCode) {
        send(.rst(id, code))
        sink?.flushSoon()
    }

    func streamClosed(_ stream: WireStreamChannel) {
        guard streams.removeValue(forKey: stream.streamID) != nil else { return }
        delivery.remove(stream.streamID)
        committedWindow -= stream.receiveWindow.size
        if stream.streamID.isAllocated(by: role) { localStreamCount -= 1 } else { peerStreamCount -= 1 }
        sink?.streamCountChanged()
    }

    // MARK: Scheduling

    /// Sends DATA and FINs round-robin while the connection takes them and
    /// there is credit ([SCHED-1]).
    func sendPending() {
        guard let peer, let sink else { return }
        var wrote = false
        while sink.connectionWritable, let id = scheduler.first {
            guard let stream = streams[id], stream.hasSendableWork else {
                _ = scheduler.popFirst()
                continue
            }
            if stream.flushedBytes > 0 {
                guard connectionSend.available > 0 else { break }
                var limit = min(peer.maxFrameSize, stream.sendWindow.available, connectionSend.available)
                if sendPacer.isLimited {
                    // The stream keeps its place in the round-robin while
                    // the bucket refills, so pacing never reorders turns ([SCHED-3]).
                    let worth = min(limit, stream.flushedBytes, sendPacer.quantum)
                    let allowance = sendPacer.allowance()
                    guard allowance >= worth else {
                        sendPacer.wait(for: worth)
                        break
                    }
                    limit = min(limit, allowance)
                }
                let (bytes, promises) = stream.dequeue(upTo: limit)
                stream.sendWindow.consume(bytes.readableBytes)
                connectionSend.consume(bytes.readableBytes)
                sendPacer.spend(bytes.readableBytes)
                sink.write(.data(id, payload(bytes, for: stream)), promise: combine(promises))
                stream.updateWritability()
            } else {
                sink.write(.fin(id), promise: nil)
                stream.finSent()
            }
            wrote = true
            _ = scheduler.popFirst()
            if streams[id] != nil, stream.hasSendableWork { scheduler.enqueue(id) }
        }
        if wrote { sink.flushSoon() }
    }

    private func payload(_ bytes: ByteBuffer, for stream: WireStreamChannel) -> DataPayload {
        guard stream.compression, compressionNegotiated, stream.compressionBackoff.shouldTry() else { return .plain(bytes) }
        let block = LZ4.compress(bytes, allocator: allocator)
        stream.compressionBackoff.record(success: block != nil)
        return block.map { .lz4(decodedLength: bytes.readableBytes, block: $0) } ?? .plain(bytes)
    }

    private func combine(_ promises: [EventLoopPromise<Void>]) -> EventLoopPromise<Void>? {
        switch promises.count {
        case 0: return nil
        case 1: return promises[0]
        default:
            let promise = eventLoop.makePromise(of: Void.self)
            for other in promises { promise.futureResult.cascade(to: other) }
            return promise
        }
    }

    // MARK: Draining and teardown

    /// We sent GOAWAY: refuse peer streams above the last one we accepted.
    func startRefusing() {
        refusingAbove = lastPeerStreamID
    }

    /// The peer sent GOAWAY: streams of ours it never processed are failed so
    /// that their users can retry elsewhere ([DRAIN-3]).
    func peerSentGoAway(lastStreamID: StreamID) {
        peerGoingAway = true
        for (id, stream) in streams where id.isAllocated(by: role) && id > lastStreamID {
            stream.sessionEnded(error: WireSessionError.goingAway)
        }
    }

    /// The connection is gone: every stream ends with `error`.
    func closeAll(error: Error) {
        for stream in Array(streams.values) { stream.sessionEnded(error: error) }
        peer = nil
        sendPacer.cancel()
        delivery.pacer.cancel()
    }
}

// The multiplexer is confined to the connection's event loop; it is captured
// by future callbacks that run on that same loop.
extension StreamMultiplexer: @unchecked Sendable {}
