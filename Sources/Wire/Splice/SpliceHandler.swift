import NIOCore

/// Joins two channels so that bytes read on one are written to the other,
/// with backpressure both ways: a side reads only while its partner's channel
/// is writable, so splicing never buffers more than one read burst beyond what
/// the partner's own limits (socket buffer, stream window) allow.
///
/// The two channels may live on different event loops (a public socket and a
/// stream of a home's tunnel usually do). Each handler touches only its own
/// channel; everything it asks of its partner is a message run on the
/// partner's loop, in order. Reads are batched until `channelReadComplete`, so
/// a burst costs one hop, not one per buffer.
///
/// A side that is a stream of a session returns the stream's credit only
/// once its partner wrote the bytes out ([FLOW-3]): what waits in the
/// partner's socket counts against the stream's window, so a slow reader on
/// the far side holds at most that window, inside the session's budget.
///
/// Half-closure is relayed: end of input on one side becomes a close of the
/// partner's output once every byte before it is written. An abrupt end
/// (error, reset, close without end of input) ends the partner abruptly too,
/// at once: a stream is reset, a socket is closed with a TCP reset, so the
/// program at the far end learns that the transfer broke instead of taking
/// a truncated one for complete ([STREAM-9]).
/// Both channels should allow remote half-closure. Neither side reads before
/// its partner is in place.
public final class SpliceHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    /// What one side asks of the other; run on the receiver's loop.
    private enum Message: Sendable {
        case write([ByteBuffer], bytes: Int)
        /// The partner wrote this many of the bytes we sent it.
        case written(Int)
        /// Report written bytes once this many gathered (see `acknowledgementBatch`).
        case acknowledge(every: Int)
        case endOfInput
        case closed
        case writability(Bool)
    }

    /// The most bytes one side has sent its partner and not yet seen written.
    public static let inFlightLimit = 256 * 1024
    /// Written bytes are reported back in batches of at least this many, so
    /// small exchanges (keep-alive requests) cost no extra message; the
    /// sender stops only at `inFlightLimit`, well above it. A stream side
    /// asks for at most half its receive window: its credit goes back in
    /// batches of half the window, so with reports that small the bytes not
    /// yet returned stay below one window and the peer is never left
    /// waiting for credit that sits in an unreported batch.
    static let acknowledgementBatch = 64 * 1024

    private let eventLoop: EventLoop
    private var partner: SpliceHandler?
    private var context: ChannelHandlerContext?
    /// Our channel, when it is a stream whose credit we return.
    private var stream: WireStreamChannel?
    /// Written bytes are reported to the partner once this many gathered.
    private var acknowledgementThreshold = SpliceHandler.acknowledgementBatch
    /// Messages that arrived before this handler was added to its pipeline.
    private var early: [Message] = []
    /// Reads waiting to be sent to the partner at the end of the burst.
    private var batch: [ByteBuffer] = []
    /// Nothing is read until the partner says it can take writes, which it
    /// does once it is in its pipeline: a side added first (or whose partner
    /// is never added, its connection gone) holds at most what it already
    /// read, instead of buffering for a partner that is not there.
    private var partnerWritable = false
    /// Bytes sent to the partner that it has not written out yet. The
    /// partner's writability alone reports too late when it lives on another
    /// event loop: one burst read meanwhile (a stream hands over its whole
    /// buffer in one read) would pile up in the partner's outbound buffer,
    /// outside every budget. Reads stop while this is at `inFlightLimit`.
    /// (From a stream, those bytes are also inside its window: credit goes
    /// back as they are reported written.)
    private var inFlight = 0
    /// Bytes the partner sent that we wrote out and have not reported yet.
    private var writtenUnreported = 0
    private var readHeld = false
    /// The partner's input ended: our output is being or has been closed;
    /// completes once it is.
    private var outputEnded: EventLoopFuture<Void>?
    private var done = false

    private init(eventLoop: EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Two handlers joined to each other: add `first` to a channel on
    /// `firstLoop` and `second` to one on `secondLoop`, in either order.
    public static func pair(_ firstLoop: EventLoop, _ secondLoop: EventLoop) -> (first: End, second: End) {
        let first = SpliceHandler(eventLoop: firstLoop)
        let second = SpliceHandler(eventLoop: secondLoop)
        first.partner = second
        second.partner = first
        return (End(handler: first), End(handler: second))
    }

    /// One handler of a pair, on its way to the loop it belongs to.
    ///
    /// `@unchecked Sendable`: a fresh pair is made on one thread and each
    /// handler is then used only on its own loop; `take()` checks that, and the
    /// handler's fields are first touched there (`handlerAdded`).
    public struct End: @unchecked Sendable {
        private let handler: SpliceHandler

        fileprivate init(handler: SpliceHandler) {
            self.handler = handler
        }

        /// The handler, on its own event loop.
        public func take() -> SpliceHandler {
            handler.eventLoop.preconditionInEventLoop()
            return handler
        }
    }

    // MARK: Own channel

    public func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        let pending = early
        early.removeAll()
        for message in pending { receive(message) }
        guard !done else { return }
        if let stream = context.channel as? WireStreamChannel {
            self.stream = stream
            stream.creditReturnedByReader = true
            send(.acknowledge(every: max(1, min(Self.acknowledgementBatch, stream.receiveWindow.size / 2))))
        }
        send(.writability(context.channel.isWritable))
        // Without remote half-closure an end of input would close the channel
        // and look abrupt, and the partner would drop what it still sends.
        context.channel.setOption(ChannelOptions.allowRemoteHalfClosure, value: true).whenFailure { _ in }
        // Reads are asked for through the pipeline, so `read(context:)` below
        // decides; turning auto-read on makes the channel keep asking.
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        read(context: context)
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        // Leaving the pipeline ends the splice like going inactive does: a
        // stream that ends before it was activated has its handlers removed
        // without a `channelInactive`, and its partner would stay open.
        if !done { end() }
        self.context = nil
        partner = nil
        stream?.creditReturnedByReader = false
        stream = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        batch.append(unwrapInboundIn(data))
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        sendBatch()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            sendBatch()
            send(.endOfInput)
        }
        context.fireUserInboundEventTriggered(event)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        end()
        context.fireChannelInactive()
    }

    /// Our channel is gone: what was read goes to the partner, then word
    /// that nothing more will.
    private func end() {
        sendBatch()
        send(.closed)
        partner = nil
        done = true
    }

    public func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    public func channelWritabilityChanged(context: ChannelHandlerContext) {
        send(.writability(context.channel.isWritable))
        context.fireChannelWritabilityChanged()
    }

    public func read(context: ChannelHandlerContext) {
        if mayRead {
            context.read()
        } else {
            readHeld = true
        }
    }

    private var mayRead: Bool { partnerWritable && inFlight < Self.inFlightLimit }

    private func resumeReading(_ context: ChannelHandlerContext) {
        if readHeld, mayRead {
            readHeld = false
            context.read()
        }
    }

    // MARK: Messages

    /// Reports written bytes to the partner once a batch's worth gathered.
    private func wrote(_ bytes: Int) {
        writtenUnreported += bytes
        guard writtenUnreported >= acknowledgementThreshold else { return }
        send(.written(writtenUnreported))
        writtenUnreported = 0
    }

    private func sendBatch() {
        guard !batch.isEmpty else { return }
        let buffers = batch
        batch.removeAll(keepingCapacity: true)
        let bytes = buffers.reduce(0) { $0 + $1.readableBytes }
        inFlight += bytes
        send(.write(buffers, bytes: bytes))
    }

    private func send(_ message: Message) {
        guard let partner else { return }
        if partner.eventLoop.inEventLoop {
            partner.receive(message)
        } else {
            let end = End(handler: partner)
            partner.eventLoop.execute { end.take().receive(message) }
        }
    }

    private func receive(_ message: Message) {
        guard let context else {
            if !done { early.append(message) }
            return
        }
        switch message {
        case .write(let buffers, let bytes):
            guard outputEnded == nil, let last = buffers.last else { return }
            // Bytes a backed-up channel cannot send now will wait in its
            // buffer; as slices of a large receive buffer they would keep the
            // whole of it alive meanwhile (one slow reader per buffer pins
            // many times what the windows count). A channel keeping up sends
            // them at once: no copy.
            let waits = !context.channel.isWritable
            func outbound(_ buffer: ByteBuffer) -> NIOAny {
                wrapOutboundOut(waits && buffer.isSparse ? buffer.compacted() : buffer)
            }
            for buffer in buffers.dropLast() { context.write(outbound(buffer), promise: nil) }
            // Writes complete in order: the last one done means all are.
            let written = context.eventLoop.makePromise(of: Void.self)
            context.writeAndFlush(outbound(last), promise: written)
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            written.futureResult.whenComplete { _ in bound.value.wrote(bytes) }
        case .written(let bytes):
            inFlight -= bytes
            stream?.returnCredit(bytes)
            resumeReading(context)
        case .acknowledge(let threshold):
            acknowledgementThreshold = threshold
        case .endOfInput:
            endOutput(context: context)
        case .closed:
            // The partner is gone: nothing we read could reach anyone. After
            // its end of input we first finish writing what it sent (our
            // output closes once those bytes are out), then close; otherwise
            // it ended abruptly and so do we, at once. Staying open would let
            // the other side stream on for nobody (a client that half-closed
            // and then left kept a home's target sending forever).
            // A stream still open from its peer is reset (RST CANCEL): its
            // close() would wait for the peer's end ([STREAM-7]).
            // After a clean end of output there is nothing left to say with
            // a reset: the socket just closes.
            guard let outputEnded else { return Self.abort(context.channel) }
            let channel = context.channel
            outputEnded.whenComplete { _ in
                channel.triggerUserOutboundEvent(WireStreamAbandon()).whenFailure { _ in channel.close(promise: nil) }
            }
        case .writability(let writable):
            partnerWritable = writable
            resumeReading(context)
        }
    }

    /// Ends `channel` at once, after its partner ended abruptly: a stream is
    /// abandoned (reset if its peer still sends, [STREAM-7]); a socket,
    /// which refuses that event, is closed with a reset (`SO_LINGER` 0):
    /// what it had not sent yet is dropped and its peer reads ECONNRESET,
    /// not the end of a complete transfer.
    private static func abort(_ channel: Channel) {
        channel.triggerUserOutboundEvent(WireStreamAbandon()).whenFailure { _ in channel.closeWithReset() }
    }

    /// Closes our output after everything already written has gone out: a
    /// zero-byte write completes only when the bytes queued before it have.
    private func endOutput(context: ChannelHandlerContext) {
        guard outputEnded == nil else { return }
        let channel = context.channel
        outputEnded = context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(capacity: 0))).flatMap {
            channel.close(mode: .output)
        }.flatMapError { _ in
            channel.close()
        }
    }
}
