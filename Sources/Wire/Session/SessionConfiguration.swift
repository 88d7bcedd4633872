import NIOCore

/// What one side of a session offers and enforces. The defaults suit a home
/// tunnel: large frames for throughput, modest initial windows that grow with
/// the measured round trip, and a memory budget that bounds the growth.
public struct SessionConfiguration: Sendable {
    /// Largest frame payload we accept (advertised as MAX_FRAME_SIZE).
    public var maxFrameSize = 65_536
    /// Receive window each new stream starts with.
    public var initialStreamWindow = 256 * 1024
    /// Largest a stream's receive window may grow to.
    public var maxStreamWindow = 16 * 1024 * 1024
    /// Receive window of the connection at the start.
    public var initialConnectionWindow = 1024 * 1024
    /// Bound on buffering for the peer's data. Stream windows grow only while
    /// their sum stays within it, the connection window grows to half of it,
    /// and once unread data in stream buffers exceeds it less one connection
    /// window, connection credit is held back until readers catch up. So a
    /// session holds at most the budget plus one connection window (credit
    /// granted before the hold-back), one and a half budgets at most.
    public var memoryBudget = 64 * 1024 * 1024
    /// Most streams the peer may have open towards us at once. A stream costs
    /// about 12 KB when idle, so 8192 idle public connections to a home take
    /// about 100 MB; buffered data stays within `memoryBudget` on top.
    public var maxConcurrentStreams = 8192
    /// Offer LZ4 compression of DATA.
    public var compression = true
    /// How often to send PING (keeps NAT mappings and the RTT estimate fresh).
    public var keepaliveInterval: TimeAmount = .seconds(5)
    /// A peer that sent nothing for this long is considered dead.
    public var deadPeerTimeout: TimeAmount = .seconds(15)
    /// The peer's HELLO must arrive within this time.
    public var helloTimeout: TimeAmount = .seconds(10)

    public init() {}

    var localCapabilities: Capabilities { compression ? [.lz4] : [] }

    /// `maxFrameSize` within what the protocol allows ([LIMIT-1]).
    var acceptedFrameSize: Int {
        min(max(maxFrameSize, FrameLimits.minimumMaxFrameSize), FrameLimits.maximumMaxFrameSize)
    }

    var hello: Hello {
        Hello(
            minimumVersion: WireVersion.minimum,
            maximumVersion: WireVersion.current,
            settings: [
                Setting(.maxFrameSize, UInt32(acceptedFrameSize)),
                Setting(.initialStreamWindow, UInt32(initialStreamWindow)),
                Setting(.maxConcurrentStreams, UInt32(maxConcurrentStreams)),
                Setting(.capabilities, localCapabilities.rawValue),
                Setting(.initialConnectionWindow, UInt32(initialConnectionWindow)),
            ]
        )
    }
}

/// The peer's side of the negotiation, read from its HELLO.
public struct PeerSettings: Hashable, Sendable {
    public var version: UInt16
    public var maxFrameSize: Int
    public var initialStreamWindow: Int
    public var initialConnectionWindow: Int
    public var maxConcurrentStreams: Int
    public var capabilities: Capabilities

    /// Validates the peer's HELLO against our own ([HELLO-2], [HELLO-3]).
    init(peer: Hello, local: Hello) throws(WireProtocolError) {
        guard let version = local.negotiatedVersion(with: peer) else {
            throw WireProtocolError(
                .versionMismatch,
                "peer speaks versions \(peer.minimumVersion)...\(peer.maximumVersion), we speak \(local.minimumVersion)...\(local.maximumVersion)")
        }
        self.version = version
        let frame = Int(peer.value(of: .maxFrameSize) ?? UInt32(FrameLimits.minimumMaxFrameSize))
        guard (FrameLimits.minimumMaxFrameSize...FrameLimits.maximumMaxFrameSize).contains(frame) else {
            throw WireProtocolError(.protocolError, "MAX_FRAME_SIZE \(frame) outside 16384...16777215")
        }
        maxFrameSize = frame
        initialStreamWindow = Int(peer.value(of: .initialStreamWindow) ?? 65_536)
        initialConnectionWindow = Int(peer.value(of: .initialConnectionWindow) ?? 65_536)
        guard initialStreamWindow <= FrameLimits.maximumWindow, initialConnectionWindow <= FrameLimits.maximumWindow else {
            throw WireProtocolError(.flowControlError, "initial window above 2^31-1")
        }
        maxConcurrentStreams = Int(peer.value(of: .maxConcurrentStreams) ?? 100)
        capabilities = Capabilities(rawValue: peer.value(of: .capabilities) ?? 0)
    }
}
