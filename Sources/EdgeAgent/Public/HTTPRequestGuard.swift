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
final class HTTPRequestGuard: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private var sequence: HTTPRequestSequence
    private let onStop: (HTTPRequestSequence.Stop) -> Void
    /// A later request was refused: input is dropped from here on.
    private var stop: HTTPRequestSequence.Stop?
    private var endOfInputSent = false

    /// `stop` is set when the bytes read with the first request already held
    /// a request for elsewhere; `onStop` is called once when the guard stops.
    init(
        sequence: HTTPRequestSequence, stoppedBy stop: HTTPRequestSequence.Stop? = nil,
        onStop: @escaping (HTTPRequestSequence.Stop) -> Void
    ) {
        self.sequence = sequence
        self.stop = stop
        self.onStop = onStop
        if let stop { onStop(stop) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard stop == nil else { return }
        let output = sequence.feed(unwrapInboundIn(data))
        if output.forward.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(output.forward)) }
        if let refused = output.stop {
            stop = refused
            onStop(refused)
            endInput(context)
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
