import Logging
import NIOCore

/// One end of a Portico session: the handler at the top of the tunnel
/// connection's pipeline (above TLS). It decodes frames, runs the HELLO
/// exchange, keepalive and drain, and hands stream frames to the multiplexer.
///
/// Agents do not call it directly from tasks; they use the `WireSession`
/// handle, which hops onto the connection's event loop. Events for the agent
/// (ready, CONTROL, GOAWAY, RTT) travel down the pipeline as `SessionEvent`s.
public final class WireSessionHandler: ChannelInboundHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case awaitingHello
        case ready(PeerSettings)
        case closed
    }

    static let maximumOutstandingPings = 16
    /// At most one PING per this interval on behalf of window sizing.
    static let rttSampleInterval: TimeAmount = .milliseconds(200)
    static let maximumPongsWhileBlocked = 1024

    public let role: SessionRole
    public let configuration: SessionConfiguration
    private let logger: Logger
    private let inboundStreamInitializer: @Sendable (WireStreamChannel) -> EventLoopFuture<Void>

    private var state = State.idle
    private var context: ChannelHandlerContext?
    /// Set when the handler joins a pipeline; no frame or call reaches the
    /// handler before that (a `WireSession` is made only after it was added).
    private var multiplexer: StreamMultiplexer!
    private var decoder: FrameDecoder
    private var readyPromise: EventLoopPromise<PeerSettings>?
    private var rtt = RTTEstimator()
    /// PINGs sent and not yet answered, by payload; a caller's promise if any.
    private var pings: [UInt64: EventLoopPromise<TimeAmount>?] = [:]
    /// PINGs answered while the connection could not take writes: a peer that
    /// keeps sending them is flooding us ([SEC-3]).
    private var pongsWhileBlocked = 0
    private var lastReceived = NIODeadline.now()
    private var lastPingSent = NIODeadline.uptimeNanoseconds(0)
    private var keepalive: RepeatedTask?
    private var helloTimeout: Scheduled<Void>?
    private var inReadLoop = false
    private var needsFlush = false
    private(set) var goAwaySent = false
    private(set) var goAwayReceived = false

    public init(
        role: SessionRole,
        configuration: SessionConfiguration = SessionConfiguration(),
        logger: Logger = Logger(label: "portico.wire"),
        inboundStreamInitializer: @escaping @Sendable (WireStreamChannel) -> EventLoopFuture<Void>
    ) {
        self.role = role
        self.configuration = configuration
        self.logger = logger
        self.inboundStreamInitializer = inboundStreamInitializer
        self.decoder = FrameDecoder(maxPayloadSize: configuration.acceptedFrameSize)
    }

    /// Completes once HELLO was exchanged; fails if the session ends before.
    var ready: EventLoopFuture<PeerSettings> { readyPromise!.futureResult }

    /// The connection's event loop (valid once the handler was added).
    var eventLoop: EventLoop { readyPromise!.futureResult.eventLoop }

    /// The connection (valid while the handler is in a pipeline).
    var channel: Channel? { context?.channel }

    // MARK: Channel events

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        readyPromise = context.eventLoop.makePromise()
        multiplexer = StreamMultiplexer(
            role: role,
            configuration: configuration,
            sink: self,
            parent: context.channel,
            inboundInitializer: inboundStreamInitializer
        )
        if context.channel.isActive { start(context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        shutDown(error: WireSessionError.sessionClosed)
        self.context = nil
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        shutDown(error: WireSessionError.sessionClosed)
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch state {
        case .awaitingHello, .ready: receive(context, unwrapInboundIn(data))
        case .idle, .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        inReadLoop = false
        multiplexer.sendPending()
        flushIfNeeded()
        context.fireChannelReadComplete()
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            pongsWhileBlocked = 0
            multiplexer.sendPending()
        }
        context.fireChannelWritabilityChanged()
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        logger.debug("session connection error", metadata: ["error": "\(error)"])
        shutDown(error: error)
        context.close(promise: nil)
    }

    // MARK: Frames

    private func start(_ context: ChannelHandlerContext) {
        guard case .idle = state else { return }
        state = .awaitingHello
        lastReceived = .now()
        write(.hello(configuration.hello), promise: nil)
        context.flush()
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        helloTimeout = context.eventLoop.scheduleTask(in: configuration.helloTimeout) {
            bound.value.fail(WireProtocolError(.timeout, "no HELLO within \(bound.value.configuration.helloTimeout)"))
        }
        keepalive = context.eventLoop.scheduleRepeatedTask(
            initialDelay: configuration.keepaliveInterval,
            delay: configuration.keepaliveInterval
        ) { _ in bound.value.keepaliveTick() }
    }

    private func receive(_ context: ChannelHandlerContext, _ bytes: ByteBuffer) {
        inReadLoop = true
        lastReceived = .now()
        decoder.append(bytes)
        do {
            while let frame = try decoder.nextFrame() {
                try handle(frame)
                if case .closed = state { return }
            }
        } catch {
            fail(error)
        }
    }

    private func handle(_ frame: Frame) throws(WireProtocolError) {
        if case .awaitingHello = state {
            guard case .hello(let hello) = frame else {
                throw WireProtocolError(.protocolError, "first frame was \(frame.type), not HELLO")
            }
            return try receiveHello(hello)
        }
        switch frame {
        case .hello:
            throw WireProtocolError(.protocolError, "second HELLO")
        case .ping(let opaque):
            if !connectionWritable {
                pongsWhileBlocked += 1
                guard pongsWhileBlocked <= Self.maximumPongsWhileBlocked else {
                    throw WireProtocolError(.enhanceYourCalm, "more than \(Self.maximumPongsWhileBlocked) PINGs while our writes were blocked")
                }
            }
            // [PING-2] Answered at once, ahead of any queued DATA.
            write(.pong(opaque), promise: nil)
            needsFlush = true
        case .pong(let opaque):
            receivePong(opaque)
        case .goAway(let last, let code, let debug):
            goAwayReceived = true
            logger.debug("peer sent GOAWAY", metadata: ["wire.code": "\(code)", "wire.debug": "\(debug)"])
            multiplexer.peerSentGoAway(lastStreamID: last)
            context?.fireUserInboundEventTriggered(SessionEvent.goAway(code: code, debug: debug))
            streamCountChanged()
        case .control(let kind, let body):
            context?.fireUserInboundEventTriggered(SessionEvent.control(kind: kind, body: body))
        case .unknown:
            break  // [EXT-1]
        case .open, .data, .windowUpdate, .fin, .rst:
            try multiplexer.handle(frame)
        }
    }

    private func receiveHello(_ hello: Hello) throws(WireProtocolError) {
        let peer = try PeerSettings(peer: hello, local: configuration.hello)
        helloTimeout?.cancel()
        state = .ready(peer)
        multiplexer.configure(peer: peer)
        sendPing()
        context?.fireUserInboundEventTriggered(SessionEvent.ready(peer))
        readyPromise?.succeed(peer)
    }

    private func receivePong(_ opaque: UInt64) {
        let now = NIODeadline.now().uptimeNanoseconds
        // [PING-6] Only answers to our own PINGs count.
        guard opaque <= now, let promise = pings.removeValue(forKey: opaque) else { return }
        let sample = TimeAmount.nanoseconds(Int64(now - opaque))
        rtt.add(sample)
        promise?.succeed(sample)
        context?.fireUserInboundEventTriggered(SessionEvent.roundTrip(sample))
    }

    // MARK: Operations (event loop only)

    /// Sends a PING and completes with its round-trip time.
    func ping() -> EventLoopFuture<TimeAmount> {
        guard let context, case .ready = state else {
            return eventLoop.makeFailedFuture(WireSessionError.sessionClosed)
        }
        let promise = context.eventLoop.makePromise(of: TimeAmount.self)
        pings[sendPing()] = promise
        flushIfNeeded()
        return promise.futureResult
    }

    @discardableResult
    private func sendPing() -> UInt64 {
        // The payload is our clock, so a PONG alone yields the sample ([PING-3]).
        var stamp = NIODeadline.now().uptimeNanoseconds
        while pings[stamp] != nil { stamp += 1 }
        if pings.count >= Self.maximumOutstandingPings, let oldest = pings.keys.min() {
            pings.removeValue(forKey: oldest)??.fail(WireSessionError.peerUnresponsive)
        }
        pings[stamp] = .some(nil)
        lastPingSent = .now()
        write(.ping(stamp), promise: nil)
        flushSoon()
        return stamp
    }

    func openStream(
        metadata: StreamMetadata,
        initialData: ByteBuffer?,
        compression: Bool,
        initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void>
    ) -> EventLoopFuture<WireStreamChannel> {
        // A caller may hop here after the connection closed (a public
        // connection routed to a home whose session just ended).
        guard let multiplexer else { return eventLoop.makeFailedFuture(WireSessionError.sessionClosed) }
        switch state {
        case .closed:
            return eventLoop.makeFailedFuture(WireSessionError.sessionClosed)
        case .idle, .awaitingHello, .ready:
            let loop = eventLoop
            return ready.flatMap { [weak multiplexer] _ in
                guard let multiplexer else { return loop.makeFailedFuture(WireSessionError.sessionClosed) }
                return multiplexer.openStream(metadata: metadata, initialData: initialData, compression: compression, initializer: initializer)
            }
        }
    }

    func sendControl(kind: UInt16, body: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard case .ready = state else {
            promise?.fail(WireSessionError.sessionClosed)
            return
        }
        write(.control(kind: kind, body: body), promise: promise)
        flushSoon()
    }

    /// Starts a graceful drain: GOAWAY, no new streams, close when the last
    /// stream ends ([DRAIN-1]) or, at the latest, after `timeout`.
    func goAway(code: WireErrorCode, debug: String, timeout: TimeAmount?) {
        guard !goAwaySent, case .ready = state, let context else { return }
        if let timeout {
            let channel = context.channel
            context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        }
        goAwaySent = true
        multiplexer.startRefusing()
        write(.goAway(lastStreamID: multiplexer.lastPeerStreamID, code: code, debug: debug), promise: nil)
        flushSoon()
        streamCountChanged()
    }

    var activeStreams: Int { multiplexer?.streams.count ?? 0 }

    func setRateLimits(_ limits: SessionRateLimits) {
        multiplexer?.setRateLimits(limits)
    }

    var traffic: SessionTraffic? { multiplexer?.traffic }

    var bufferAccounting: (buffered: Int, withheldCredit: Int, connectionWindow: Int) {
        (multiplexer?.bufferedBytes ?? 0, multiplexer?.withheldCredit ?? 0, multiplexer?.connectionWindowSize ?? 0)
    }

    // MARK: Teardown

    private func keepaliveTick() {
        guard case .ready = state else { return }
        if NIODeadline.now() - lastReceived > configuration.deadPeerTimeout {
            logger.info("peer unresponsive, closing session")
            multiplexer.closeAll(error: WireSessionError.peerUnresponsive)
            return fail(WireProtocolError(.timeout, "nothing received for \(configuration.deadPeerTimeout)"))
        }
        sendPing()
    }

    /// Ends the session for a connection error: GOAWAY with the code, then close ([ERR-2]).
    private func fail(_ error: WireProtocolError) {
        guard let context else { return }
        if case .closed = state { return }
        logger.info("closing session", metadata: ["wire.code": "\(error.code)", "wire.reason": "\(error.reason)"])
        let last = multiplexer.lastPeerStreamID
        shutDown(error: WireSessionError.protocolViolation(error))
        write(.goAway(lastStreamID: last, code: error.code, debug: error.reason), promise: nil)
        closeAfterFlush(context)
    }

    private func closeAfterFlush(_ context: ChannelHandlerContext) {
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0)), promise: promise)
        let channel = context.channel
        promise.futureResult.whenComplete { _ in channel.close(promise: nil) }
    }

    private func shutDown(error: Error) {
        if case .closed = state { return }
        state = .closed
        keepalive?.cancel()
        helloTimeout?.cancel()
        multiplexer?.closeAll(error: error)
        readyPromise?.fail(error)
        for promise in pings.values { promise?.fail(error) }
        pings.removeAll()
    }
}

// MARK: - FrameSink

extension WireSessionHandler: FrameSink {
    func write(_ frame: Frame, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(WireSessionError.sessionClosed)
            return
        }
        if case .data(let id, .plain(let payload)) = frame {
            // Header and payload go out as two buffers so DATA is never copied here.
            var header = context.channel.allocator.buffer(capacity: FrameHeader.size)
            header.writeFrameHeader(FrameHeader(length: UInt32(payload.readableBytes), type: .data, streamID: id))
            context.write(wrapOutboundOut(header), promise: nil)
            context.write(wrapOutboundOut(payload), promise: promise)
        } else {
            var buffer = context.channel.allocator.buffer(capacity: 64)
            buffer.writeFrame(frame)
            context.write(wrapOutboundOut(buffer), promise: promise)
        }
        needsFlush = true
    }

    var connectionWritable: Bool { context?.channel.isWritable ?? false }

    func flushSoon() {
        needsFlush = true
        if !inReadLoop { flushIfNeeded() }
    }

    private func flushIfNeeded() {
        guard needsFlush, let context else { return }
        needsFlush = false
        context.flush()
    }

    var smoothedRTT: TimeAmount? { rtt.smoothed }

    func requestRTTSample() {
        guard case .ready = state, NIODeadline.now() - lastPingSent >= Self.rttSampleInterval else { return }
        sendPing()
    }

    func streamCountChanged() {
        guard goAwaySent || goAwayReceived, multiplexer.isIdle, let context, case .ready = state else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            let handler = bound.value
            guard handler.multiplexer.isIdle, let context = handler.context, case .ready = handler.state else { return }
            handler.shutDown(error: WireSessionError.goingAway)
            handler.closeAfterFlush(context)
        }
    }
}
