import NIOCore

/// The connection's receive window, and the session's memory budget it
/// answers to ([FLOW-6]).
///
/// DATA counts against the connection window, and its credit goes back at
/// once while the bytes waiting in stream buffers stay within the budget:
/// stream windows bound each stream, so returning connection credit on
/// receipt lets fast streams go on past a stalled one. Only when the data
/// waiting in stream buffers exceeds `bufferedLimit` (many stalled readers
/// at once) is credit held back until readers catch up, so the session
/// holds little more than the budget (at most one connection window more:
/// credit granted before the hold-back).
struct ConnectionReceiveBudget {
    let memoryBudget: Int
    private(set) var window: ReceiveWindow
    /// Bytes received on all streams and not yet read by their pipelines.
    private(set) var bufferedBytes = 0
    /// Connection credit held back while `bufferedBytes` exceeds the limit.
    private(set) var withheldCredit = 0

    init(initialWindow: Int, memoryBudget: Int) {
        self.memoryBudget = memoryBudget
        self.window = ReceiveWindow(size: initialWindow, maximumSize: memoryBudget / 2)
    }

    /// Unread data beyond which connection credit is held back: the budget
    /// less one connection window, because the peer may still send a whole
    /// window after credit stops. The window grows to half the budget at
    /// most, so at least half of it is left for buffers.
    private var bufferedLimit: Int { memoryBudget - window.size }

    /// `length` bytes arrived on some stream; returns the WINDOW_UPDATE
    /// increment to send now, if any.
    mutating func receive(_ length: Int, rtt: TimeAmount?) throws(WireProtocolError) -> UInt32? {
        guard length > 0 else { return nil }
        try window.receive(length)
        bufferedBytes += length
        let room = max(0, bufferedLimit - bufferedBytes + length)
        let released = min(length, room)
        withheldCredit += length - released
        return release(released, rtt: rtt)
    }

    /// Bytes left a stream's buffer (read by its pipeline, or dropped when the
    /// stream ended): returns the increment for credit held back for them.
    mutating func drained(_ bytes: Int, rtt: TimeAmount?) -> UInt32? {
        bufferedBytes -= bytes
        guard withheldCredit > 0, bufferedBytes < bufferedLimit else { return nil }
        let released = min(withheldCredit, bufferedLimit - bufferedBytes)
        withheldCredit -= released
        return release(released, rtt: rtt)
    }

    private mutating func release(_ bytes: Int, rtt: TimeAmount?) -> UInt32? {
        guard bytes > 0 else { return nil }
        let allowance = memoryBudget / 2 - window.size
        return window.consume(bytes, now: .now(), rtt: rtt, growthAllowance: allowance)?.increment
    }
}
