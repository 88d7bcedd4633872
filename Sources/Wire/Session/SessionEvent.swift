import NIOCore

/// Events the session fires down the connection's pipeline (as user inbound
/// events), for the agent's own handler placed after the session handler.
public enum SessionEvent: Sendable {
    /// HELLO exchanged: streams may be opened.
    case ready(PeerSettings)
    /// A CONTROL message from the peer.
    case control(kind: UInt16, body: ByteBuffer)
    /// The peer is draining; open no new streams on this session.
    case goAway(code: WireErrorCode, debug: String)
    /// A new round-trip sample (after each PONG).
    case roundTrip(TimeAmount)
}
