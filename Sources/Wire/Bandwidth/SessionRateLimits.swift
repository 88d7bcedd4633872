/// Bandwidth limits on one session's stream data, one token bucket per
/// direction. Control frames (PING, WINDOW_UPDATE, CONTROL, GOAWAY) are never
/// paced: they bypass both buckets.
public struct SessionRateLimits: Hashable, Sendable {
    /// DATA this side sends: the scheduler waits for tokens before a frame.
    public var send: TokenBucket.Limit
    /// DATA the peer sends: bytes are handed to the streams' readers as tokens
    /// allow, and stream credit goes back only for what was handed over, so
    /// the peer is slowed by flow control and buffering stays within the
    /// stream windows.
    public var receive: TokenBucket.Limit

    public init(send: TokenBucket.Limit = .unlimited, receive: TokenBucket.Limit = .unlimited) {
        self.send = send
        self.receive = receive
    }

    public static let unlimited = SessionRateLimits()
}

/// What passed one direction of a session, for operators.
public struct TrafficSnapshot: Hashable, Sendable {
    /// The limit in force.
    public var limit: TokenBucket.Limit
    /// Stream bytes since the session began.
    public var bytes: UInt64
    /// Stream bytes over the last whole second.
    public var bytesPerSecond: UInt64
    /// Total time data waited for the token bucket, in nanoseconds.
    public var throttledNanoseconds: UInt64

    public init(limit: TokenBucket.Limit, bytes: UInt64, bytesPerSecond: UInt64, throttledNanoseconds: UInt64) {
        self.limit = limit
        self.bytes = bytes
        self.bytesPerSecond = bytesPerSecond
        self.throttledNanoseconds = throttledNanoseconds
    }
}

/// Both directions of a session's traffic.
public struct SessionTraffic: Hashable, Sendable {
    public var sent: TrafficSnapshot
    public var received: TrafficSnapshot
}
