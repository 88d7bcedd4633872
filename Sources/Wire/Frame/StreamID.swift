/// A stream identifier. Zero is the connection itself; the side that dialled
/// the connection allocates odd ids and the side that accepted it even ids, so
/// both can open streams without coordinating ([STREAM-1]).
public struct StreamID: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// Stream 0: frames that concern the whole connection.
    public static let connection = StreamID(0)
    /// The largest id a stream may have (ids are 31-bit, [STREAM-2]).
    public static let maximum = StreamID(0x7FFF_FFFF)

    public var isConnection: Bool { rawValue == 0 }

    /// Whether a peer in `role` allocates this id.
    public func isAllocated(by role: SessionRole) -> Bool {
        guard rawValue != 0 else { return false }
        return (rawValue & 1 == 1) == (role == .dialer)
    }

    public static func < (lhs: StreamID, rhs: StreamID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// Which end of the connection a session is. The dialer (the home agent)
/// owns odd stream ids, the listener (the edge) even ones.
public enum SessionRole: Sendable, Hashable {
    case dialer
    case listener

    /// The first stream id this role allocates.
    var firstStreamID: StreamID { self == .dialer ? StreamID(1) : StreamID(2) }
    var peer: SessionRole { self == .dialer ? .listener : .dialer }
}
