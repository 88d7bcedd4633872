import Wire

/// The forward list travels to the edge as one FORWARDS_SYNC CONTROL message,
/// and a CONTROL message must fit in one frame ([CONTROL-1]). A list too big
/// for the edge's MAX_FRAME_SIZE is a connection error FRAME_SIZE_ERROR at the
/// edge: every session would end on its first sync. So the config is refused
/// up front, measured with the very encoder the session uses.
extension HomeConfig {
    /// The reference edge's MAX_FRAME_SIZE: the most one frame may carry.
    static let maximumSyncFrameBytes = SessionConfiguration().maxFrameSize

    /// The frame payload a FORWARDS_SYNC of `forwards` needs: the 2-byte
    /// kind and the JSON body, with the longest request id a sync can carry.
    static func syncFrameBytes(_ forwards: [Forward]) -> Int {
        let message = ControlMessage.forwardsSync(
            ForwardsSync(requestID: .max, forwards: forwards.map(\.declaration)))
        return 2 + message.encodedBody().readableBytes
    }

    /// Why `forwards` cannot be synced in one frame, or nil.
    static func syncSizeProblem(_ forwards: [Forward]) -> String? {
        let bytes = syncFrameBytes(forwards)
        guard bytes > maximumSyncFrameBytes else { return nil }
        return "the forwards need \(grouped(bytes)) bytes in FORWARDS_SYNC, more than the "
            + "\(grouped(maximumSyncFrameBytes)) a frame may carry; use shorter names or fewer forwards"
    }

    /// `65536` as `65,536`, as the message is read by people.
    private static func grouped(_ number: Int) -> String {
        let digits = Array(String(number))
        var text = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { text.append(",") }
            text.append(digit)
        }
        return text
    }
}
