import NIOCore
import Synchronization

/// One stream as a NIO `Channel`, a child of the session's connection.
///
/// Putting each stream behind a real `Channel` lets the agents join a public
/// socket and a stream with the same backpressure-aware glue they would use
/// for two sockets: reads are delivered only when the pipeline asks (`read()`
/// or auto-read), and `isWritable` turns false once the bytes queued here
/// reach the credit the peer granted, so a writer that respects writability
/// never buffers more than the stream's send window ([FLOW-4]).
///
/// All state is confined to the parent's event loop; only `isActive` and
/// `isWritable`, which NIO lets any thread read, are atomics.
public final class WireStreamChannel {
    /// The stream's id on the wire.
    public let streamID: StreamID
    /// What the OPEN frame said about the stream.
    public let metadata: StreamMetadata

    public let eventLoop: EventLoop
    public let parent: Channel?
    public let allocator: ByteBufferAllocator

    weak var multiplexer: StreamMultiplexer?
    // Shared with the `Channel` conformance (WireStreamChannel+Channel.swift).
    private(set) var _pipeline: ChannelPipeline!
    let closePromise: EventLoopPromise<Void>
    let activeFlag = Atomic<Bool>(false)
    let writableFlag = Atomic<Bool>(true)

    /// The stream's lifecycle: every decision to send FIN or RST, fail
    /// writes or close is taken there; this class carries the actions out.
    private(set) var machine = StreamStateMachine()
    var sendWindow: SendWindow
    var receiveWindow: ReceiveWindow

    // Options.
    var autoRead = true
    var allowRemoteHalfClosure = false
    /// Whether DATA we send may be LZ4-compressed (when the session negotiated it).
    var compression = false
    /// The reader returns the stream's credit itself (`returnCredit`), once
    /// the bytes it read have left the process, instead of on delivery. The
    /// splice does: bytes waiting in its partner's socket then count against
    /// this stream's window, so a public client that reads slowly holds at
    /// most the window, inside the session's memory budget ([FLOW-3]).
    var creditReturnedByReader = false
    var compressionBackoff = CompressionBackoff()

    // Inbound: bytes received and not yet delivered to the pipeline.
    private var inbound = CircularBuffer<ByteBuffer>(initialCapacity: 4)
    private(set) var inboundBytes = 0
    /// The pipeline asked to read (read demand, as a socket channel keeps it).
    private var readPending = false

    // Outbound: written, then flushed, then taken by the scheduler.
    var outbound = StreamOutboundQueue()

    init(
        streamID: StreamID,
        metadata: StreamMetadata,
        parent: Channel,
        multiplexer: StreamMultiplexer,
        sendWindow: Int,
        receiveWindow: ReceiveWindow
    ) {
        self.streamID = streamID
        self.metadata = metadata
        self.parent = parent
        self.eventLoop = parent.eventLoop
        self.allocator = parent.allocator
        self.multiplexer = multiplexer
        self.sendWindow = SendWindow(sendWindow)
        self.receiveWindow = receiveWindow
        self.closePromise = parent.eventLoop.makePromise()
        self._pipeline = ChannelPipeline(channel: self)
    }

    /// The most bytes one read hands to the pipeline.
    static let maximumBytesPerRead = 256 * 1024

    /// Bytes queued here that the scheduler has not sent yet.
    var queuedBytes: Int { outbound.queuedBytes }
    var flushedBytes: Int { outbound.flushedBytes }

    /// Whether the scheduler could send something now: data with credit, or a
    /// FIN with nothing left before it.
    var hasSendableWork: Bool {
        guard machine.sendsData else { return false }
        return outbound.flushedBytes > 0 ? sendWindow.available > 0 : machine.finQueued
    }
}

// MARK: - Events from the multiplexer

extension WireStreamChannel {
    /// Runs `initializer`, then registers and activates the channel. If the
    /// initializer fails, the stream is reset and released: nothing of it is
    /// left, and the peer's later frames for it are stale ([STREAM-6]).
    func activate(initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        initializer(self).flatMapErrorThrowing { error in
            let code = (error as? WireStreamRefusal)?.code ?? .internalError
            self.apply(self.machine.initializerFailed(code), error: error)
            throw error
        }.map {
            guard self.machine.phase != .closed else { return }
            self.pipeline.fireChannelRegistered()
            self.activeFlag.store(true, ordering: .relaxed)
            self.pipeline.fireChannelActive()
            if self.autoRead { self.pipeline.read() }
            self.deliverInbound()
        }
    }

    /// DATA arrived for this stream: whether its bytes are wanted. If not, the
    /// stream was reset (after the peer's FIN, or nobody reads) and the
    /// caller drops them.
    func acceptsData() -> Bool {
        let actions = machine.receiveData()
        guard actions != .bufferInput else { return true }
        apply(actions)
        return false
    }

    /// Bytes arrived for this stream (already accepted and counted against the windows).
    func receive(_ bytes: ByteBuffer) {
        guard bytes.readableBytes > 0 else { return }
        inbound.append(bytes)
        inboundBytes += bytes.readableBytes
        if readPending { deliverInbound() }
        // Bytes the reader did not take at once wait. A frame's payload is a
        // slice of the receive buffer it arrived in, which also holds other
        // streams' frames: kept as is, one stalled stream would pin whole
        // receive buffers, many times the bytes its window counts ([FLOW-6]).
        // (A reader keeping up takes each frame as it comes: no copies.)
        guard inboundBytes > 0, let last = inbound.last, last.isSparse else { return }
        inbound[inbound.index(before: inbound.endIndex)] = last.compacted()
    }

    /// The peer half-closed: the end of input follows any buffered data.
    func receiveFIN() {
        apply(machine.receiveFIN())
    }

    /// The peer reset the stream: unread input and unsent output are dropped.
    func receiveReset(_ code: WireErrorCode) {
        apply(machine.receiveReset(), error: WireSessionError.streamReset(code))
    }

    /// We reset the stream with `code` (a stream error of the peer's).
    func reset(_ code: WireErrorCode) {
        apply(machine.reset(code))
    }

    /// The user abandons the stream (`WireStreamAbandon`); fails `promise`
    /// if it was already closed.
    func abandon(promise: EventLoopPromise<Void>?) {
        let actions = machine.abandon()
        if let failure = actions.failure { return promise?.fail(failure) ?? () }
        closePromise.futureResult.cascade(to: promise)
        apply(actions)
        updateWritability()
    }

    /// The session ended, or the peer's GOAWAY excluded the stream: it ends with `error`.
    func sessionEnded(error: Error) {
        apply(machine.sessionEnded(), error: error)
    }

    /// The scheduler sent our FIN.
    func finSent() {
        apply(machine.finSent())
    }

    /// Takes up to `limit` flushed bytes for one DATA frame.
    func dequeue(upTo limit: Int) -> (ByteBuffer, [EventLoopPromise<Void>]) {
        outbound.dequeue(upTo: limit, allocator: allocator)
    }

    /// Writable while the queue is smaller than the send window ([FLOW-4])
    /// and the session's bound on one stream's queue.
    func updateWritability() {
        let room = min(sendWindow.available, multiplexer?.outboundQueueLimit ?? sendWindow.available)
        let writable = queuedBytes < room && machine.acceptsWrites
        if writableFlag.exchange(writable, ordering: .relaxed) != writable, isActive {
            pipeline.fireChannelWritabilityChanged()
        }
    }

    /// The reader is done with `bytes` it was handed (`creditReturnedByReader`):
    /// they count as consumed, and the credit goes back to the peer ([FLOW-3]).
    func returnCredit(_ bytes: Int) {
        multiplexer?.consumed(bytes, on: self)
    }

    /// The session's receive pacer has tokens for this stream again.
    func resumeDelivery() {
        if readPending { deliverInbound() }
    }

    /// `.output` sends FIN after what was written; `.all` also stops reading
    /// and closes once that FIN is out ([STREAM-7], see `StreamStateMachine.close`).
    func closeRequested(_ mode: CloseMode, promise: EventLoopPromise<Void>?) {
        let actions: StreamActions
        switch mode {
        case .output:
            actions = machine.closeOutput()
            if actions.failure == nil { outbound.finPromise = promise }
        case .input:
            promise?.fail(ChannelError.operationUnsupported)
            return
        case .all:
            actions = machine.close(unreadInput: inboundBytes > 0)
            if actions.failure == nil { closePromise.futureResult.cascade(to: promise) }
        }
        if let failure = actions.failure {
            promise?.fail(failure)
            return
        }
        apply(actions)
        updateWritability()
    }

    /// The pipeline asked for a read.
    func readRequested() {
        guard isActive else { return }
        readPending = true
        deliverInbound()
    }
}

// MARK: - Carrying out the state machine's actions

extension WireStreamChannel {
    /// Carries out `actions` in their one sensible order (see `StreamActions`).
    /// `error` says why the stream ended, for failed writes and the pipeline;
    /// without it, a reset we send is the reason.
    func apply(_ actions: StreamActions, error: Error? = nil) {
        let reason = error ?? actions.resetCode.map { WireSessionError.streamReset($0) }
        if let code = actions.resetCode { multiplexer?.sendReset(streamID, code) }
        if actions.contains(.discardInput) { discardInbound() }
        if actions.contains(.failWrites) { outbound.failAll(reason ?? ChannelError.ioOnClosedChannel) }
        if actions.contains(.succeedFIN) {
            outbound.finPromise?.succeed()
            outbound.finPromise = nil
        }
        if actions.contains(.fireInputClosed), isActive {
            pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        if actions.contains(.fireError), let reason, isActive { pipeline.fireErrorCaught(reason) }
        let wasActive = actions.contains(.closeChannel) && closeChannel()
        if actions.contains(.release) { multiplexer?.streamClosed(self) }
        if wasActive {
            pipeline.fireChannelInactive()
            pipeline.fireChannelUnregistered()
        }
        // Last, since both may run further events of this stream at once:
        // the scheduler may send the FIN, a reader may close.
        if actions.contains(.queueFIN) {
            outbound.flush()
            updateWritability()
            multiplexer?.streamHasWork(self)
        }
        if actions.contains(.deliverInput) { deliverInbound() }
    }

    /// The channel goes inactive; its handlers go at the end of this event,
    /// then `closeFuture` completes. Returns whether it was active.
    private func closeChannel() -> Bool {
        let wasActive = activeFlag.exchange(false, ordering: .relaxed)
        writableFlag.store(false, ordering: .relaxed)
        outbound.failAll(ChannelError.ioOnClosedChannel)
        eventLoop.execute {
            self.removeHandlers(pipeline: self.pipeline)
            self.closePromise.succeed()
        }
        return wasActive
    }

    private func deliverInbound() {
        guard isActive, machine.phase == .active else { return }
        var delivered = 0
        if readPending, inboundBytes > 0 {
            // At most one socket read's worth at a time, as a socket channel
            // hands over: a reader that forwards what it reads (a splice)
            // then sees its partner's backpressure between reads, instead
            // of taking a whole grown window at once.
            let wanted = min(inboundBytes, Self.maximumBytesPerRead)
            let allowed = multiplexer?.delivery.allowance(wanted, for: streamID) ?? wanted
            guard allowed > 0 else { return }
            readPending = false
            delivered = deliver(upTo: allowed)
            pipeline.fireChannelReadComplete()
            multiplexer?.drained(delivered)
            if !creditReturnedByReader { multiplexer?.consumed(delivered, on: self) }
        }
        if inboundBytes == 0, machine.input == .finReceived {
            apply(machine.inputDrained(allowRemoteHalfClosure: allowRemoteHalfClosure))
        }
        if delivered > 0, autoRead, isActive { pipeline.read() }
    }

    /// Hands up to `limit` buffered bytes to the pipeline. The count drops
    /// before each read fires, so a handler that closes the stream while
    /// reading finds the buffer's accounting already right.
    private func deliver(upTo limit: Int) -> Int {
        var delivered = 0
        while delivered < limit, var bytes = inbound.popFirst() {
            if bytes.readableBytes > limit - delivered, let head = bytes.readSlice(length: limit - delivered) {
                inbound.prepend(bytes)
                bytes = head
            }
            delivered += bytes.readableBytes
            inboundBytes -= bytes.readableBytes
            pipeline.fireChannelRead(bytes)
        }
        return delivered
    }

    /// Drops unread input; its connection credit goes back to the peer.
    private func discardInbound() {
        let dropped = inboundBytes
        inbound.removeAll()
        inboundBytes = 0
        multiplexer?.drained(dropped)
    }
}
