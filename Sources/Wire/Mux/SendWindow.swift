/// Credit the peer has granted us to send, for one stream or for the whole
/// connection ([FLOW-1]). Only WINDOW_UPDATE raises it; every DATA byte we
/// send lowers it.
struct SendWindow {
    private(set) var available: Int

    init(_ initial: Int) { available = initial }

    mutating func consume(_ bytes: Int) {
        assert(bytes <= available, "scheduler sent beyond the window")
        available -= bytes
    }

    /// Adds credit. A window pushed past 2^31-1 is a peer error ([FLOW-5]).
    mutating func grant(_ increment: UInt32) throws(WireProtocolError) {
        let raised = available + Int(increment)
        guard raised <= FrameLimits.maximumWindow else {
            throw WireProtocolError(.flowControlError, "WINDOW_UPDATE raises the window to \(raised), above 2^31-1")
        }
        available = raised
    }
}
