import NIOCore

/// Credit we have granted the peer, and when to grant more ([FLOW-3]).
///
/// `size` is the window the peer is allowed to fill. Bytes count against it
/// when they arrive and are returned (as WINDOW_UPDATE credit) once they are
/// consumed, in batches of at least half the window so that updates stay rare.
///
/// The window grows with the bandwidth-delay product: updates go out each
/// time half the window has been consumed, so if two updates come less than
/// one round trip apart, a whole window drains within two round trips and the
/// window was what limited the sender: it doubles (up to `maximumSize` and
/// whatever the session's memory budget still allows). Growth stops between
/// two and four times the bandwidth-delay product, enough to keep the pipe
/// full across the batching of updates. This is the receive-side auto-tuning
/// of TCP and QUIC stacks; fixed windows cap a stream at window/RTT.
struct ReceiveWindow {
    private(set) var size: Int
    let maximumSize: Int
    /// Bytes the peer may still send before it must wait for an update.
    private(set) var outstanding: Int
    /// Bytes consumed but not yet returned to the peer.
    private(set) var pendingCredit = 0
    private var lastUpdate: NIODeadline?

    init(size: Int, maximumSize: Int) {
        self.size = size
        self.maximumSize = max(size, maximumSize)
        self.outstanding = size
    }

    /// Accounts for `bytes` that arrived; more than the window allows is a peer error.
    mutating func receive(_ bytes: Int) throws(WireProtocolError) {
        guard bytes <= outstanding else {
            throw WireProtocolError(.flowControlError, "peer sent \(bytes) bytes with only \(outstanding) bytes of window")
        }
        outstanding -= bytes
    }

    /// Accounts for `bytes` the reader consumed and returns the WINDOW_UPDATE
    /// increment to send now, if any, and how much the window grew.
    ///
    /// - Parameters:
    ///   - rtt: the session's smoothed round-trip time, if measured yet.
    ///   - growthAllowance: how many more bytes of window the memory budget allows.
    mutating func consume(_ bytes: Int, now: NIODeadline, rtt: TimeAmount?, growthAllowance: Int) -> (increment: UInt32, growth: Int)? {
        pendingCredit += bytes
        guard pendingCredit > 0, pendingCredit >= size / 2 else { return nil }
        var growth = 0
        if let rtt, let lastUpdate, now - lastUpdate < rtt {
            growth = min(size, maximumSize - size, max(0, growthAllowance))
        }
        size += growth
        let increment = pendingCredit + growth
        outstanding += increment
        pendingCredit = 0
        lastUpdate = now
        return (UInt32(increment), growth)
    }
}
