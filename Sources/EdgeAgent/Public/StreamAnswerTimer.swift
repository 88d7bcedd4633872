import NIOCore
import Wire

/// The first handler of a stream the edge opened for a public connection:
/// times the home's first answer on it (`HomeLatency`), then leaves the
/// pipeline, so the bytes that follow pass no extra handler.
///
/// The first read is the home's first data reaching the splice, which hands
/// it to the public client at once: accepted, and the first byte. An end of
/// input before any data is an accepted stream the target closed at once; a
/// reset by the home before any data is a refusal ([OPEN-5]). A stream that
/// ends for another reason first (the client left, the session ended) is not
/// counted.
final class StreamAnswerTimer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let latency: HomeLatency
    /// When the edge asked the session for the stream (OPEN is sent on the
    /// session's next flush).
    private let opened: NIODeadline
    /// When the edge accepted the public connection.
    private let accepted: NIODeadline
    /// Set at the first answer: a handler behind may cause another read
    /// before this one has left.
    private var answered = false
    private var left = false

    init(latency: HomeLatency, opened: NIODeadline, accepted: NIODeadline) {
        self.latency = latency
        self.opened = opened
        self.accepted = accepted
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !answered {
            let now = NIODeadline.now()
            latency.streamAccepted.recordNanoseconds((now - opened).nanoseconds)
            latency.firstByte.recordNanoseconds((now - accepted).nanoseconds)
            answered = true
        }
        context.fireChannelRead(data)
        leave(context)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if !answered, case ChannelEvent.inputClosed = event {
            latency.streamAccepted.recordNanoseconds((NIODeadline.now() - opened).nanoseconds)
            answered = true
        }
        context.fireUserInboundEventTriggered(event)
        if answered { leave(context) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if !answered, case WireSessionError.streamReset = error {
            latency.streamRefused.recordNanoseconds((NIODeadline.now() - opened).nanoseconds)
            answered = true
        }
        context.fireErrorCaught(error)
    }

    /// Leaves once the event has passed on; a stream already closing takes
    /// its handlers away itself.
    private func leave(_ context: ChannelHandlerContext) {
        guard !left, context.channel.isActive else { return }
        left = true
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }
}
