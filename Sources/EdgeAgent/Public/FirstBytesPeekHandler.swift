import NIOCore

/// Reads the first bytes of a public connection until `parse` can route it
/// (a ClientHello, an HTTP request head), then gives its place to an
/// `InboundHold`. The channel must
/// start with auto-read off: this handler asks for each read itself and stops
/// asking once it has decided, so nothing more is read until whoever takes
/// the connection over (the splice) asks again.
///
/// Bounded in bytes (`limit`) and time (`timeout`, counted from the first
/// moment the connection is ours), so slow or silent clients cost one small
/// buffer and one timer, never a stream to a home.
final class FirstBytesPeekHandler<Value: Sendable>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// Why a connection could not be routed from its first bytes.
    enum Failure: Error {
        /// The parser rejected the bytes (its own typed error).
        case rejected(any Error)
        /// No decision within the time limit.
        case timedOut
        /// The client closed or half-closed before the bytes were complete.
        case truncated
    }

    typealias Decision = (Result<Value, Failure>, ByteBuffer, Channel) -> Void

    private let timeout: TimeAmount
    private let parse: (ByteBuffer) throws -> Value?
    private let decided: Decision
    private var received: ByteBuffer?
    private var timer: Scheduled<Void>?
    private var finished = false

    /// `parse` returns nil while it needs more bytes and throws when the bytes
    /// can never be routed; it is responsible for the byte limit. `decided` is
    /// called once, on the event loop.
    init(timeout: TimeAmount, parse: @escaping (ByteBuffer) throws -> Value?, decided: @escaping Decision) {
        self.timeout = timeout
        self.parse = parse
        self.decided = decided
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context: context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !finished else { return }
        var bytes = unwrapInboundIn(data)
        if received == nil {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        do {
            if let value = try parse(received!) { finish(.success(value), context: context) }
        } catch {
            finish(.failure(.rejected(error)), context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if !finished { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event, !finished {
            finish(.failure(.truncated), context: context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !finished { finish(.failure(.truncated), context: context) }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    private func start(context: ChannelHandlerContext) {
        guard timer == nil, !finished else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            if !self.finished { self.finish(.failure(.timedOut), context: context) }
        }
        context.read()
    }

    private func finish(_ result: Result<Value, Failure>, context: ChannelHandlerContext) {
        finished = true
        timer?.cancel()
        let bytes = received ?? context.channel.allocator.buffer(capacity: 0)
        received = nil
        // Whoever takes the connection over releases the hold once its
        // splice is in place (`PublicStreamOpener`).
        let channel = context.channel
        try? context.pipeline.syncOperations.replaceWithHold(context: context)
        decided(result, bytes, channel)
    }
}
