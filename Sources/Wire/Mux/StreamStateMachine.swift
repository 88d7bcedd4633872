import NIOCore

/// The life of one stream: the wire state of [STREAM-4] and what its user
/// asked for, as one pure value.
///
/// Each event (a user's write or close, a frame from the peer, the scheduler
/// sending our FIN, the session ending) is a method that moves the machine
/// and returns the `StreamActions` to carry out. The machine does no I/O and
/// holds no buffers or promises: `WireStreamChannel` applies the actions, so
/// every rule about when a stream sends FIN or RST, fails writes or closes
/// lives here and can be tested without an event loop.
///
/// The two directions move separately; the channel (what the user sees)
/// closes once our FIN went out after `close()`, or once both directions
/// ended and the input was read. A channel closed while the peer still sends
/// leaves the stream *orphaned*: it waits for the peer's FIN, and resets
/// DATA nobody will read ([STREAM-7]).
///
/// ```
///  output: open ──close/closeOutput──► finQueued ──scheduler sent FIN──► finSent
///  input:  open ──FIN received──► finReceived ──input read to the end──► ended
///  channel: active ──close()──► closing ──FIN sent──► closed
///  any RST, reset or session end: everything ends, the stream is released
/// ```
struct StreamStateMachine: Hashable {
    /// Our direction.
    enum Output: Hashable {
        /// Writes are taken.
        case open
        /// A FIN waits behind the queued data; no more writes.
        case finQueued
        /// Our FIN went out.
        case finSent
    }

    /// The peer's direction.
    enum Input: Hashable {
        /// The peer may still send.
        case open
        /// The peer's FIN arrived; buffered bytes may still wait to be read.
        case finReceived
        /// End of input reached the user (or nobody will read any more).
        case ended
    }

    /// The stream's `Channel`, as its user sees it.
    enum Phase: Hashable {
        case active
        /// The user called `close()`: queued data and FIN still go out.
        case closing
        /// Inactive; the pipeline is torn down.
        case closed
    }

    private(set) var output = Output.open
    private(set) var input = Input.open
    private(set) var phase = Phase.active
    /// The multiplexer forgot the stream: frames for it are stale ([STREAM-6]).
    private(set) var isReleased = false

    /// The state of [STREAM-4], as the peer sees it on the wire.
    var wireState: WireState {
        if isReleased { return .closed }
        switch (output, input) {
        case (.finSent, .open): return .halfClosedLocal
        case (.finSent, _): return .closed
        case (_, .open): return .open
        case (_, _): return .halfClosedRemote
        }
    }

    /// Whether DATA may still go out: nothing ended our direction.
    var sendsData: Bool { !isReleased && output != .finSent }
    /// Whether our FIN waits for the scheduler.
    var finQueued: Bool { !isReleased && output == .finQueued }
    /// Whether the stream's receive credit is still worth returning.
    var receives: Bool { !isReleased && input == .open }
    /// Whether the user may queue more bytes.
    var acceptsWrites: Bool { !isReleased && output == .open && phase == .active }

    // MARK: Events from the user

    /// A write: `nil` if it is taken, otherwise the error to fail it with.
    func write() -> ChannelError? {
        if acceptsWrites { return nil }
        return phase == .active && !isReleased ? .outputClosed : .ioOnClosedChannel
    }

    /// `close(mode: .output)`: FIN after the queued data.
    mutating func closeOutput() -> StreamActions {
        guard phase != .closed, !isReleased else { return .fail(.alreadyClosed) }
        guard phase == .active, output == .open else { return .fail(.outputClosed) }
        output = .finQueued
        return .queueFIN
    }

    /// `close()`: everything written goes out, then FIN; the channel closes
    /// once the FIN is out ([STREAM-7]). Like a TCP close, data the peer
    /// sends afterwards is answered with RST (`receiveData`), and so is a
    /// close that leaves input unread while the peer may still send: the
    /// peer may be waiting for credit that unread bytes hold, and would
    /// otherwise keep the stream forever.
    mutating func close(unreadInput: Bool) -> StreamActions {
        guard phase != .closed, !isReleased else { return .fail(.alreadyClosed) }
        if unreadInput, input == .open { return reset(.cancel) }
        phase = .closing
        var actions: StreamActions = .discardInput
        if input == .finReceived { input = .ended }
        if output == .open {
            output = .finQueued
            actions.insert(.queueFIN)
        }
        if output == .finSent { actions.formUnion(closeChannel()) }
        return actions
    }

    /// The user abandons the stream (`WireStreamAbandon`, its other end is
    /// gone): RST CANCEL if the peer may still send, since nobody will read
    /// it; otherwise the same as `close()`.
    mutating func abandon() -> StreamActions {
        guard !isReleased else { return .fail(.alreadyClosed) }
        return input == .open ? reset(.cancel) : close(unreadInput: false)
    }

    // MARK: Events from the peer

    /// DATA (or OPEN's initial data) arrived.
    mutating func receiveData() -> StreamActions {
        guard !isReleased else { return [] }
        switch input {
        case .finReceived, .ended:
            // [STREAM-8] DATA after the peer's FIN.
            return reset(.streamClosed)
        case .open where phase != .active:
            // [STREAM-7] The user closed: nobody will read it.
            return reset(.cancel)
        case .open:
            return .bufferInput
        }
    }

    /// The peer's FIN arrived.
    mutating func receiveFIN() -> StreamActions {
        guard !isReleased else { return [] }
        guard input == .open else {
            // [STREAM-8] A second FIN.
            return reset(.streamClosed)
        }
        switch phase {
        case .active:
            input = .finReceived
            return .deliverInput
        case .closing:
            input = .ended
            return []
        case .closed:
            // Orphaned: the peer's direction was all we waited for.
            input = .ended
            isReleased = true
            return .release
        }
    }

    /// The peer reset the stream.
    mutating func receiveReset() -> StreamActions {
        abort()
    }

    // MARK: Events from the multiplexer and the channel

    /// The scheduler sent our FIN.
    mutating func finSent() -> StreamActions {
        guard finQueued else {
            assertionFailure("FIN sent that was not queued")
            return []
        }
        output = .finSent
        var actions: StreamActions = .succeedFIN
        if phase == .closing || input == .ended { actions.formUnion(closeChannel()) }
        return actions
    }

    /// The bytes buffered before the peer's FIN were all read: end of input
    /// reaches the user, who either sees `inputClosed` (remote half-closure
    /// allowed) or has the stream closed for it, as a socket channel does.
    mutating func inputDrained(allowRemoteHalfClosure: Bool) -> StreamActions {
        guard !isReleased, phase == .active, input == .finReceived else { return [] }
        input = .ended
        guard allowRemoteHalfClosure else { return close(unreadInput: false) }
        var actions: StreamActions = .fireInputClosed
        if output == .finSent { actions.formUnion(closeChannel()) }
        return actions
    }

    /// We end the stream at once with RST `code`: a stream error, a refusal,
    /// a pipeline that failed to set up, or data nobody will read. No RST goes
    /// out if both directions already ended on the wire.
    mutating func reset(_ code: WireErrorCode) -> StreamActions {
        guard !isReleased else { return [] }
        var actions = StreamActions()
        if wireState != .closed { actions = .sendReset(code) }
        return actions.union(abort())
    }

    /// The stream's pipeline could not be set up: the peer is told with
    /// `code` (a refusal's, or INTERNAL_ERROR) and nothing stays open.
    mutating func initializerFailed(_ code: WireErrorCode) -> StreamActions {
        reset(code)
    }

    /// The session ended (or the peer's GOAWAY excluded this stream).
    mutating func sessionEnded() -> StreamActions {
        abort()
    }

    // MARK: Helpers

    /// Ends both directions without a frame: buffers go, writes fail, the
    /// user hears why, and the stream is released.
    private mutating func abort() -> StreamActions {
        guard !isReleased else { return [] }
        var actions: StreamActions = [.discardInput, .failWrites]
        if phase != .closed { actions.formUnion([.fireError, .closeChannel]) }
        phase = .closed
        isReleased = true
        return actions.union(.release)
    }

    /// The channel goes inactive; the stream is released too unless the peer
    /// may still send (orphaned, see the type's doc).
    private mutating func closeChannel() -> StreamActions {
        phase = .closed
        guard input != .open else { return .closeChannel }
        isReleased = true
        return [.closeChannel, .release]
    }
}

extension StreamStateMachine {
    /// The wire states of [STREAM-4] (idle is before the stream exists).
    enum WireState: Hashable {
        case open
        case halfClosedLocal
        case halfClosedRemote
        case closed
    }
}
