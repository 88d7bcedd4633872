import Logging
import NIOCore

/// Sits between a routed public HTTP connection and its splice, and lets
/// through only requests for the destination the first one was routed to
/// (`HTTPRequestSequence`). When a later request is for somewhere else, its
/// bytes never reach the home: the guard ends the stream's input there (the
/// home sees a FIN after the requests it may serve), drops whatever the
/// client sends after, and closes the connection once the home has answered
/// the earlier requests and the splice closes the client's output. The client
/// retries that request on a new connection, which is routed on its own.
///
/// It also watches the server's answers pass towards the client, which is
/// how the sequence learns whether the server switched protocols ([SEC-9]),
/// and keeps the clock on each later request's head: one not whole within
/// `headTimeout` of its first byte ends the connection the same way
/// ([SEC-10]), as the first head's peek timeout does for the first.
final class HTTPRequestGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private var sequence: HTTPRequestSequence
    private let headTimeout: TimeAmount
    /// Runs while a later head has begun and is not whole.
    private var headTimer: Scheduled<Void>?
    private let onStop: (HTTPRequestSequence.Stop) -> Void
    /// A later request was refused: input is dropped from here on.
    private var stop: HTTPRequestSequence.Stop?
    private var endOfInputSent = false

    /// `stop` is set when the bytes read with the first request already held
    /// a request for elsewhere; `onStop` is called once when the guard stops.
    init(
        sequence: HTTPRequestSequence, stoppedBy stop: HTTPRequestSequence.Stop? = nil, headTimeout: TimeAmount,
        onStop: @escaping (HTTPRequestSequence.Stop) -> Void
    ) {
        self.sequence = sequence
        self.headTimeout = headTimeout
        self.stop = stop
        self.onStop = onStop
        if let stop { onStop(stop) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // The bytes read with the first request may end inside a later head.
        timeHead(context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        headTimer?.cancel()
        headTimer = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard stop == nil else { return }
        pass(sequence.feed(unwrapInboundIn(data)), context: context)
    }

    /// The server's bytes go on unchanged; the sequence reads them only
    /// while the first request's switch of protocols is undecided, and may
    /// then let client bytes it held go to the home.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let answer = stop == nil ? sequence.observe(answer: unwrapOutboundIn(data)) : nil
        context.write(data, promise: promise)
        guard let answer, answer.forward.readableBytes > 0 || answer.stop != nil else { return }
        pass(answer, context: context, completing: true)
    }

    /// Passes what the sequence let through on towards the home; outside a
    /// read (`completing`), with the read-complete the splice flushes on.
    private func pass(_ output: HTTPRequestSequence.Output, context: ChannelHandlerContext, completing: Bool = false) {
        if output.forward.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(output.forward))
            if completing { context.fireChannelReadComplete() }
        }
        if let refused = output.stop { return end(refused, context: context) }
        timeHead(context)
    }

    private func end(_ refused: HTTPRequestSequence.Stop, context: ChannelHandlerContext) {
        guard stop == nil else { return }
        headTimer?.cancel()
        headTimer = nil
        stop = refused
        onStop(refused)
        endInput(context)
    }

    /// Starts the clock at a later head's first byte and stops it once the
    /// head is whole ([SEC-10]).
    private func timeHead(_ context: ChannelHandlerContext) {
        guard sequence.isInsideHead else {
            headTimer?.cancel()
            headTimer = nil
            return
        }
        guard headTimer == nil else { return }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let limit = headTimeout
        headTimer = context.eventLoop.scheduleTask(in: limit) {
            let (handler, context) = bound.value
            handler.headTimer = nil
            handler.end(.slowHead(limit), context: context)
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard stop == nil else {
            // Once stopped, what the client sends is read and dropped, so a
            // client still writing a refused request is never stuck on a
            // full socket while the home finishes the earlier answers.
            return context.read()
        }
        context.fireChannelReadComplete()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case ChannelEvent.inputClosed:
            endInput(context)
        case is PublicConnectionSpliced:
            // A stop found in the bytes read with the first request can
            // end the stream's input now that the splice is there.
            if stop != nil { endInput(context) }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    /// Once stopped, the home's finished answer (the splice closing our
    /// output) is the end of the connection: nothing more will be read.
    func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        context.close(mode: stop != nil && mode == .output ? .all : mode, promise: promise)
    }

    private func endInput(_ context: ChannelHandlerContext) {
        guard !endOfInputSent else { return }
        endOfInputSent = true
        context.fireChannelReadComplete()
        context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        if stop != nil { context.read() }
    }
}
