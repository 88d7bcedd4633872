import NIOCore

/// The fixed 12-byte header that starts every frame ([FRAME-1]).
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +---------------------------------------------------------------+
/// |                         Length (32)                           |
/// +---------------+---------------+-------------------------------+
/// |   Type (8)    |   Flags (8)   |         Reserved (16)         |
/// +---------------+---------------+-------------------------------+
/// |                        Stream ID (32)                         |
/// +---------------------------------------------------------------+
/// ```
///
/// Length counts payload bytes only. Reserved is sent as zero and ignored on
/// receipt, which leaves room for extensions without a version bump.
public struct FrameHeader: Hashable, Sendable {
    /// Encoded size of every header.
    public static let size = 12

    public var length: UInt32
    public var type: FrameType
    public var flags: FrameFlags
    public var streamID: StreamID

    public init(length: UInt32, type: FrameType, flags: FrameFlags = [], streamID: StreamID) {
        self.length = length
        self.type = type
        self.flags = flags
        self.streamID = streamID
    }
}

extension ByteBuffer {
    /// Writes `header` in its wire form and returns the number of bytes written.
    @discardableResult
    @inlinable
    public mutating func writeFrameHeader(_ header: FrameHeader) -> Int {
        // Two integer writes instead of five: the header is on every frame.
        let word = UInt64(header.length) << 32 | UInt64(header.type.rawValue) << 24 | UInt64(header.flags.rawValue) << 16
        return self.writeInteger(word) + self.writeInteger(header.streamID.rawValue)
    }

    /// Reads a header if at least `FrameHeader.size` bytes are readable; otherwise
    /// returns nil and leaves the buffer untouched.
    @inlinable
    public mutating func readFrameHeader() -> FrameHeader? {
        guard self.readableBytes >= FrameHeader.size,
            let word = self.readInteger(as: UInt64.self),
            let stream = self.readInteger(as: UInt32.self)
        else { return nil }
        return FrameHeader(
            length: UInt32(truncatingIfNeeded: word >> 32),
            type: FrameType(rawValue: UInt8(truncatingIfNeeded: word >> 24)),
            flags: FrameFlags(rawValue: UInt8(truncatingIfNeeded: word >> 16)),
            streamID: StreamID(stream)
        )
    }
}
