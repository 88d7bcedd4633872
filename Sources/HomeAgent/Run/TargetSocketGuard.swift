import NIOCore

/// Closes a forward's target socket when its stream ends without ever
/// becoming active: the edge reset the stream (its public client left) while
/// the home was still connecting to the target.
///
/// Once a stream is active, the splice between it and the socket closes the
/// socket when the stream ends; before that the splice hears nothing (no
/// `channelInactive` ever comes), so without this guard such a socket stayed
/// open for as long as the target kept it, one descriptor per reset (issue
/// 10, defect 7). The stream's pipeline is torn down when it ends, which is
/// when `handlerRemoved` runs.
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
