/// Thrown by a stream initializer to refuse a stream with a specific RST code
/// (for example REFUSED_STREAM, or UNKNOWN_FORWARD for a forward the home does
/// not have). Any other initializer error resets the stream with INTERNAL_ERROR.
public struct WireStreamRefusal: Error, Hashable, Sendable {
    public var code: WireErrorCode
    public init(_ code: WireErrorCode) { self.code = code }
}

/// Why a stream or session operation failed, for the agents using the session.
public enum WireSessionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The peer reset the stream with this code.
    case streamReset(WireErrorCode)
    /// The session is draining (GOAWAY sent or received); open on another session.
    case goingAway
    /// The peer's stream limit is reached.
    case tooManyStreams(limit: Int)
    /// This side has used every stream id; the session must be replaced.
    case streamIDsExhausted
    /// The session's connection closed.
    case sessionClosed
    /// The peer broke the protocol.
    case protocolViolation(WireProtocolError)
    /// The peer stopped answering keepalives.
    case peerUnresponsive
    /// OPEN metadata this side was asked to send breaks the protocol's limits.
    case invalidMetadata(String)

    public var description: String {
        switch self {
        case .streamReset(let code): "stream reset by peer (\(code))"
        case .goingAway: "session is draining after GOAWAY"
        case .tooManyStreams(let limit): "peer allows at most \(limit) concurrent streams"
        case .streamIDsExhausted: "stream ids exhausted; reconnect"
        case .sessionClosed: "session closed"
        case .protocolViolation(let error): "protocol violation: \(error)"
        case .peerUnresponsive: "peer did not answer keepalives"
        case .invalidMetadata(let problem): "invalid stream metadata: \(problem)"
        }
    }
}
