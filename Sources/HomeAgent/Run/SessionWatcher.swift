import NIOCore
import Synchronization
import Wire

/// Placed at the end of the running agent's tunnel pipeline: records round
/// trips for `status` and notes a GOAWAY from the edge, after which the agent
/// reconnects at once instead of backing off.
final class SessionWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    private let board: StatusBoard
    private let goAway = Mutex<String?>(nil)

    init(board: StatusBoard) {
        self.board = board
    }

    /// The edge's GOAWAY reason, if it sent one.
    var goAwayReason: String? { goAway.withLock { $0 } }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case SessionEvent.roundTrip(let rtt):
            board.update { $0.rttMilliseconds = Double(rtt.nanoseconds) / 1_000_000 }
        case SessionEvent.goAway(let code, let debug):
            goAway.withLock { $0 = debug.isEmpty ? "\(code)" : "\(code): \(debug)" }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }
}
