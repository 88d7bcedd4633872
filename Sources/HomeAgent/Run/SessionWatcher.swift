import NIOCore
import Synchronization
import Wire

/// Placed at the end of the running agent's tunnel pipeline: records round
/// trips for `status` and notes a GOAWAY from the edge: after NO_ERROR the
/// agent reconnects at once; after any other code it waits first ([ERR-5],
/// [ERR-6]).
final class SessionWatcher: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    /// A GOAWAY the edge sent: its code, and the code and debug text as one line.
    struct GoAway: Sendable {
        var code: WireErrorCode
        var reason: String
    }

    private let board: StatusBoard
    private let goAwayReceived = Mutex<GoAway?>(nil)

    init(board: StatusBoard) {
        self.board = board
    }

    /// The edge's GOAWAY, if it sent one.
    var goAway: GoAway? { goAwayReceived.withLock { $0 } }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case SessionEvent.roundTrip(let rtt):
            board.update { $0.rttMilliseconds = Double(rtt.nanoseconds) / 1_000_000 }
        case SessionEvent.goAway(let code, let debug):
            let goAway = GoAway(code: code, reason: debug.isEmpty ? "\(code)" : "\(code): \(debug)")
            goAwayReceived.withLock { $0 = goAway }
            board.update { $0.edgeGoingAway = goAway.reason }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }
}
