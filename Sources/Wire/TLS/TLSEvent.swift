// User events the TLSHandler fires down the pipeline.

/// Events from `TLSHandler`, delivered through `userInboundEventTriggered`.
public enum TLSEvent: Sendable {
    /// The handshake finished and the peer passed verification; application data may flow.
    case handshakeCompleted(TLSSessionInfo)
}
