import NIOCore
import Wire

/// Why a request to the edge (a CONTROL message, [CTRL-1]) did not produce an answer the home can use.
enum EdgeRequestError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No answer within the client's timeout; the edge may be overloaded or the link dead.
    case timedOut(ControlKind, after: TimeAmount)
    /// The session ended before the answer arrived; the request may or may not have been applied.
    case sessionClosed
    /// The edge refused the request, with its stable code and a sentence for people.
    case refused(ControlError)
    /// The edge answered with something this home cannot match to its request.
    case unexpectedResponse(String)
    /// The message needs `bytes` of a frame, more than the edge's
    /// MAX_FRAME_SIZE `limit`; it was not sent ([CONTROL-1]).
    case tooLarge(ControlKind, bytes: Int, limit: Int)

    var description: String {
        switch self {
        case .timedOut(let kind, let timeout):
            "the edge did not answer \(kind) within \(Double(timeout.nanoseconds) / 1e9) s"
        case .sessionClosed: "the session to the edge closed before it answered"
        case .refused(let error): "the edge refused: \(error.message) (\(error.code))"
        case .unexpectedResponse(let detail): "unexpected answer from the edge: \(detail)"
        case .tooLarge(let kind, let bytes, let limit):
            "the \(kind) message needs \(bytes) bytes, more than the \(limit) the edge accepts in one frame"
                + (kind == .forwardsSync ? "; use shorter names or fewer forwards" : "")
        }
    }
}
