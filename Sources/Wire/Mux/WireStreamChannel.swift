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
    private var _pipeline: ChannelPipeline!
    private let closePromise: EventLoopPromise<Void>
    private let activeFlag = Atomic<Bool>(false)
    private let writableFlag = Atomic<Bool>(true)

    var state: StreamState = .open
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
    private var readPending = false
    private var inputClosedDelivered = false

    // Outbound: written, then flushed, then taken by the scheduler.
    private var unflushed = CircularBuffer<PendingWrite>(initialCapacity: 4)
    private var flushed = CircularBuffer<PendingWrite>(initialCapacity: 4)
    private var unflushedBytes = 0
    private(set) var flushedBytes = 0
    /// A FIN is queued behind the flushed data.
    private(set) var finQueued = false
    private var finPromise: EventLoopPromise<Void>?
    /// The user asked to close; no new writes are taken.
    private var closing = false
    /// The channel is closed (inactive, handlers about to be removed).
    private var finished = false

    struct PendingWrite {
        var bytes: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

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
    var queuedBytes: Int { unflushedBytes + flushedBytes }

    /// Whether the scheduler could send something now: data with credit, or a
    /// FIN with nothing left before it.
    var hasSendableWork: Bool {
        guard state.canSend else { return false }
        return flushedBytes > 0 ? sendWindow.available > 0 : finQueued
    }
}

// MARK: - Lifecycle, driven by the multiplexer

extension WireStreamChannel {
    /// Runs `initializer`, then registers and activates the channel.
    func activate(initializer: @escaping @Sendable (Channel) -> EventLoopFuture<Void>) -> EventLoopFuture<Void> {
        initializer(self).flatMapErrorThrowing { error in
            self.abort(error: error, sendReset: (error as? WireStreamRefusal)?.code ?? .internalError)
            throw error
        }.map {
            guard !self.finished else { return }
            self.pipeline.fireChannelRegistered()
            self.activeFlag.store(true, ordering: .relaxed)
            self.pipeline.fireChannelActive()
            if self.autoRead { self.pipeline.read() }
            self.deliverInbound()
        }
    }

    /// Bytes arrived for this stream (already counted against the windows).
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
        _ = state.receiveFIN()
        deliverInbound()
    }

    /// The scheduler sent our FIN.
    func finSent() {
        _ = state.sendFIN()
        finQueued = false
        finPromise?.succeed()
        finPromise = nil
        finishIfDone()
    }

    /// Ends the stream at once: the peer reset it, the session ended, or we
    /// reset it ourselves (`sendReset`). Unread input and unsent output are dropped.
    func abort(error: Error?, sendReset code: WireErrorCode?) {
        guard !finished else { return }
        if let code, state != .closed { multiplexer?.sendReset(streamID, code) }
        state.reset()
        discardInbound()
        failPendingWrites(error ?? ChannelError.ioOnClosedChannel)
        if let error, isActive { pipeline.fireErrorCaught(error) }
        finishClose()
    }

    /// Takes up to `limit` flushed bytes for one DATA frame; several small
    /// writes are joined so that a frame is not spent on each.
    func dequeue(upTo limit: Int) -> (ByteBuffer, [EventLoopPromise<Void>]) {
        var first = flushed.removeFirst()
        if first.bytes.readableBytes > limit {
            let slice = first.bytes.readSlice(length: limit)!
            flushed.prepend(first)
            flushedBytes -= limit
            return (slice, [])
        }
        var promises: [EventLoopPromise<Void>] = []
        if let promise = first.promise { promises.append(promise) }
        var frame = first.bytes
        var joined = false
        while let next = flushed.first, frame.readableBytes + next.bytes.readableBytes <= limit {
            flushed.removeFirst()
            if !joined {
                var buffer = allocator.buffer(capacity: min(limit, frame.readableBytes + flushedBytes))
                buffer.writeImmutableBuffer(frame)
                frame = buffer
                joined = true
            }
            frame.writeImmutableBuffer(next.bytes)
            if let promise = next.promise { promises.append(promise) }
        }
        flushedBytes -= frame.readableBytes
        return (frame, promises)
    }

    /// Writable while the queue is smaller than the send window ([FLOW-4])
    /// and the session's bound on one stream's queue.
    func updateWritability() {
        let room = min(sendWindow.available, multiplexer?.outboundQueueLimit ?? sendWindow.available)
        let writable = queuedBytes < room && state.canSend && !finQueued && !closing
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

    private func deliverInbound() {
        guard isActive, !finished else { return }
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
        if inboundBytes == 0, !state.canReceive, !inputClosedDelivered, !finished {
            inputClosedDelivered = true
            if allowRemoteHalfClosure {
                pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            } else {
                closeGracefully(promise: nil)
            }
        }
        finishIfDone()
        if delivered > 0, autoRead, isActive { pipeline.read() }
    }

    /// Hands up to `limit` buffered bytes to the pipeline. The count drops
    /// before each read fires, so a handler that closes the stream while
    /// reading finds the buffer's accounting already right.
    private func deliver(upTo limit: Int) -> Int {
        var delivered = 0
        while delivered < limit, var bytes = inbound.popFirst() {
            if bytes.readableBytes > limit - delivered {
                let head = bytes.readSlice(length: limit - delivered)!
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

    private func failPendingWrites(_ error: Error) {
        while let write = unflushed.popFirst() { write.promise?.fail(error) }
        while let write = flushed.popFirst() { write.promise?.fail(error) }
        unflushedBytes = 0
        flushedBytes = 0
        finQueued = false
        finPromise?.fail(error)
        finPromise = nil
    }

    /// Sends what is queued, then FIN; the channel closes once both sides finished.
    private func closeGracefully(promise: EventLoopPromise<Void>?) {
        closing = true
        if state.canSend && !finQueued { queueFIN(promise: nil) }
        closePromise.futureResult.cascade(to: promise)
        finishIfDone()
    }

    private func queueFIN(promise: EventLoopPromise<Void>?) {
        flushUnflushed()
        finQueued = true
        finPromise = promise
        updateWritability()
        multiplexer?.streamHasWork(self)
    }

    private func chainEmptyWrite(_ promise: EventLoopPromise<Void>?) {
        guard let promise else { return }
        if !unflushed.isEmpty {
            chain(promise, after: &unflushed)
        } else if !flushed.isEmpty {
            chain(promise, after: &flushed)
        } else {
            promise.succeed()
        }
    }

    private func chain(_ promise: EventLoopPromise<Void>, after queue: inout CircularBuffer<PendingWrite>) {
        let last = queue.index(before: queue.endIndex)
        if let previous = queue[last].promise {
            previous.futureResult.cascade(to: promise)
        } else {
            queue[last].promise = promise
        }
    }

    private func flushUnflushed() {
        while let write = unflushed.popFirst() { flushed.append(write) }
        flushedBytes += unflushedBytes
        unflushedBytes = 0
    }

    /// Closes the channel once both directions ended and the input was read.
    private func finishIfDone() {
        if state == .closed, !finQueued, inboundBytes == 0 { finishClose() }
    }

    private func finishClose() {
        guard !finished else { return }
        finished = true
        closing = true
        let wasActive = activeFlag.exchange(false, ordering: .relaxed)
        writableFlag.store(false, ordering: .relaxed)
        failPendingWrites(ChannelError.ioOnClosedChannel)
        multiplexer?.streamClosed(self)
        if wasActive {
            pipeline.fireChannelInactive()
            pipeline.fireChannelUnregistered()
        }
        eventLoop.execute {
            self.removeHandlers(pipeline: self.pipeline)
            self.closePromise.succeed()
        }
    }
}

// MARK: - Channel

extension WireStreamChannel: Channel {
    public var closeFuture: EventLoopFuture<Void> { closePromise.futureResult }
    public var pipeline: ChannelPipeline { _pipeline }
    public var localAddress: SocketAddress? { parent?.localAddress }
    public var remoteAddress: SocketAddress? { parent?.remoteAddress }
    public var isWritable: Bool { writableFlag.load(ordering: .relaxed) }
    public var isActive: Bool { activeFlag.load(ordering: .relaxed) }
    public var _channelCore: ChannelCore { self }

    public func setOption<Option: ChannelOption>(_ option: Option, value: Option.Value) -> EventLoopFuture<Void> {
        if eventLoop.inEventLoop {
            return eventLoop.makeCompletedFuture { try setOption0(option, value: value) }
        }
        return eventLoop.submit { try self.setOption0(option, value: value) }
    }

    public func getOption<Option: ChannelOption>(_ option: Option) -> EventLoopFuture<Option.Value> {
        if eventLoop.inEventLoop {
            return eventLoop.makeCompletedFuture { try getOption0(option) }
        }
        return eventLoop.submit { try self.getOption0(option) }
    }

    private func setOption0<Option: ChannelOption>(_ option: Option, value: Option.Value) throws {
        switch option {
        case _ as ChannelOptions.Types.AutoReadOption:
            autoRead = value as! Bool
            if autoRead && isActive { pipeline.read() }
        case _ as ChannelOptions.Types.AllowRemoteHalfClosureOption:
            allowRemoteHalfClosure = value as! Bool
        case _ as WireStreamOptions.Types.CompressionOption:
            compression = value as! Bool
        default:
            throw ChannelError.operationUnsupported
        }
    }

    private func getOption0<Option: ChannelOption>(_ option: Option) throws -> Option.Value {
        switch option {
        case _ as ChannelOptions.Types.AutoReadOption:
            return autoRead as! Option.Value
        case _ as ChannelOptions.Types.AllowRemoteHalfClosureOption:
            return allowRemoteHalfClosure as! Option.Value
        case _ as WireStreamOptions.Types.CompressionOption:
            return compression as! Option.Value
        default:
            throw ChannelError.operationUnsupported
        }
    }
}

// `Channel` requires Sendable. Mutable state is touched only on `eventLoop`
// (every entry point either runs there or hops there); the flags read from
// other threads are atomics.
extension WireStreamChannel: @unchecked Sendable {}

// MARK: - ChannelCore

extension WireStreamChannel: ChannelCore {
    public func localAddress0() throws -> SocketAddress {
        guard let address = parent?.localAddress else { throw ChannelError.operationUnsupported }
        return address
    }

    public func remoteAddress0() throws -> SocketAddress {
        guard let address = parent?.remoteAddress else { throw ChannelError.operationUnsupported }
        return address
    }

    public func register0(promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func registerAlreadyConfigured0(promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func bind0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func connect0(to: SocketAddress, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func write0(_ data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard state.canSend, !finQueued, !closing else {
            promise?.fail(closing ? ChannelError.ioOnClosedChannel : ChannelError.outputClosed)
            return
        }
        let bytes = unwrapData(data, as: ByteBuffer.self)
        if bytes.readableBytes == 0 {
            // Nothing to send, but the promise must still complete in order:
            // with the write before it, or now if there is none. (A queued
            // empty write would never be taken by the scheduler, which only
            // looks at byte counts.)
            return chainEmptyWrite(promise)
        }
        unflushed.append(PendingWrite(bytes: bytes, promise: promise))
        unflushedBytes += bytes.readableBytes
        updateWritability()
    }

    public func flush0() {
        guard unflushedBytes > 0 || !unflushed.isEmpty else { return }
        flushUnflushed()
        multiplexer?.streamHasWork(self)
    }

    public func read0() {
        guard isActive else { return }
        readPending = true
        deliverInbound()
    }

    public func close0(error: Error, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard !finished else {
            promise?.fail(ChannelError.alreadyClosed)
            return
        }
        switch mode {
        case .output:
            guard state.canSend, !finQueued, !closing else {
                promise?.fail(ChannelError.outputClosed)
                return
            }
            queueFIN(promise: promise)
        case .input:
            promise?.fail(ChannelError.operationUnsupported)
        case .all:
            closing = true
            closePromise.futureResult.cascade(to: promise)
            if state.canReceive {
                // The peer may still send and nobody will read it: reset, like a
                // TCP close with unread data ([STREAM-7]).
                abort(error: nil, sendReset: .cancel)
            } else {
                discardInbound()
                closeGracefully(promise: nil)
            }
        }
    }

    public func triggerUserOutboundEvent0(_ event: Any, promise: EventLoopPromise<Void>?) {
        promise?.fail(ChannelError.operationUnsupported)
    }

    public func channelRead0(_ data: NIOAny) {
        // Reads that reached the head of the pipeline are dropped, as in a socket channel.
    }

    public func errorCaught0(error: Error) {
        // Errors that reached the head of the pipeline need no action.
    }
}

/// Options specific to stream channels.
public enum WireStreamOptions {
    public enum Types {
        /// Whether this side may LZ4-compress the stream's DATA ([COMP-2]).
        public struct CompressionOption: ChannelOption, Sendable {
            public typealias Value = Bool
            public init() {}
        }
    }

    public static let compression = Types.CompressionOption()
}
