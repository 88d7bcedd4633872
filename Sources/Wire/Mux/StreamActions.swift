import NIOCore

/// What `WireStreamChannel` must do after a `StreamStateMachine` event.
///
/// A set rather than a list: the channel carries the steps out in one fixed
/// order (`WireStreamChannel.apply`), which is the only order that makes
/// sense (the RST goes out before the buffers are dropped, writes fail before
/// the channel goes inactive, the multiplexer forgets the stream last).
struct StreamActions: Equatable, ExpressibleByArrayLiteral, CustomStringConvertible {
    private var steps: UInt16
    /// The code of the RST to send, with `sendReset`.
    private(set) var resetCode: WireErrorCode?
    /// The error to fail the user's request with (a close that cannot be done).
    private(set) var failure: ChannelError?

    private init(steps: UInt16, resetCode: WireErrorCode? = nil, failure: ChannelError? = nil) {
        self.steps = steps
        self.resetCode = resetCode
        self.failure = failure
    }

    init() { self.init(steps: 0) }

    init(arrayLiteral elements: StreamActions...) {
        self.init()
        for element in elements { formUnion(element) }
    }

    /// Sends RST with `code` (dropping whatever is still queued).
    static func sendReset(_ code: WireErrorCode) -> StreamActions { StreamActions(steps: 1 << 0, resetCode: code) }
    /// Drops received bytes nobody will read; their connection credit goes back.
    static let discardInput = StreamActions(steps: 1 << 1)
    /// Fails every queued write and a pending FIN's promise.
    static let failWrites = StreamActions(steps: 1 << 2)
    /// Queues FIN behind the data written so far; the scheduler sends it.
    static let queueFIN = StreamActions(steps: 1 << 3)
    /// Completes the promise of `close(mode: .output)`: our FIN went out.
    static let succeedFIN = StreamActions(steps: 1 << 4)
    /// Keeps received bytes for the reader.
    static let bufferInput = StreamActions(steps: 1 << 5)
    /// Hands buffered bytes to the reader, then end of input once they are read.
    static let deliverInput = StreamActions(steps: 1 << 6)
    /// Fires `ChannelEvent.inputClosed` (remote half-closure allowed).
    static let fireInputClosed = StreamActions(steps: 1 << 7)
    /// Tells the pipeline why the stream ended (reset or session end).
    static let fireError = StreamActions(steps: 1 << 8)
    /// The channel goes inactive, its handlers are removed, `closeFuture` completes.
    static let closeChannel = StreamActions(steps: 1 << 9)
    /// The multiplexer forgets the stream: later frames for it are stale.
    static let release = StreamActions(steps: 1 << 10)
    /// The user's request cannot be done: fail its promise with `error`.
    static func fail(_ error: ChannelError) -> StreamActions { StreamActions(steps: 0, failure: error) }

    var isEmpty: Bool { steps == 0 && failure == nil }

    func contains(_ other: StreamActions) -> Bool {
        steps & other.steps == other.steps
    }

    mutating func insert(_ other: StreamActions) { formUnion(other) }

    mutating func formUnion(_ other: StreamActions) {
        steps |= other.steps
        resetCode = other.resetCode ?? resetCode
        failure = other.failure ?? failure
    }

    func union(_ other: StreamActions) -> StreamActions {
        var result = self
        result.formUnion(other)
        return result
    }

    private static let names: [(StreamActions, String)] = [
        (.discardInput, "discardInput"), (.failWrites, "failWrites"), (.queueFIN, "queueFIN"),
        (.succeedFIN, "succeedFIN"), (.bufferInput, "bufferInput"), (.deliverInput, "deliverInput"),
        (.fireInputClosed, "fireInputClosed"), (.fireError, "fireError"), (.closeChannel, "closeChannel"),
        (.release, "release"),
    ]

    /// Names the steps, for test failures.
    var description: String {
        var parts: [String] = []
        if let resetCode { parts.append("sendReset(\(resetCode))") }
        parts += Self.names.filter { contains($0.0) }.map(\.1)
        if let failure { parts.append("fail(\(failure))") }
        return "[" + parts.joined(separator: ", ") + "]"
    }
}
