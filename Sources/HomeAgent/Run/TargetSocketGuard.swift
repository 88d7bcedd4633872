import NIOCore

/// Closes a forward's target socket when its stream ends without ever
/// becoming active: the edge reset the stream (its public client left), or
/// the session ended, while the home was still connecting to the target.
///
/// Once a stream is active, the splice between it and the socket closes the
/// socket when the stream ends. Before that no `channelInactive` ever comes;
/// the stream's pipeline is torn down when it ends, which is when
/// `handlerRemoved` runs. Without this guard such a socket stayed open for
/// as long as the target kept it, one descriptor per reset (issue 10, defect
/// 7). It goes first into the pipeline, so it holds the socket before any
/// other step can fail; a stream whose pipeline is already gone when the
/// connect completes takes no handler, and `ForwardDialer` closes the socket
/// itself. Every order of "stream ended" and "connect completed" is one of
/// these (`TargetConnectResetTests`).
final class TargetSocketGuard: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let socket: Channel
    private var becameActive = false

    init(socket: Channel) {
        self.socket = socket
    }

    func channelActive(context: ChannelHandlerContext) {
        becameActive = true
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if !becameActive { socket.close(promise: nil) }
    }
}
