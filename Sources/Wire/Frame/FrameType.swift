/// A frame's type byte. A struct rather than an enum so that types this
/// implementation does not know survive decoding and can be ignored ([EXT-1]).
public struct FrameType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let hello = FrameType(rawValue: 0x0)
    public static let open = FrameType(rawValue: 0x1)
    public static let data = FrameType(rawValue: 0x2)
    public static let windowUpdate = FrameType(rawValue: 0x3)
    public static let fin = FrameType(rawValue: 0x4)
    public static let rst = FrameType(rawValue: 0x5)
    public static let ping = FrameType(rawValue: 0x6)
    public static let pong = FrameType(rawValue: 0x7)
    public static let goAway = FrameType(rawValue: 0x8)
    public static let control = FrameType(rawValue: 0x9)

    public var description: String {
        switch self {
        case .hello: "HELLO"
        case .open: "OPEN"
        case .data: "DATA"
        case .windowUpdate: "WINDOW_UPDATE"
        case .fin: "FIN"
        case .rst: "RST"
        case .ping: "PING"
        case .pong: "PONG"
        case .goAway: "GOAWAY"
        case .control: "CONTROL"
        default: "UNKNOWN(0x\(String(rawValue, radix: 16)))"
        }
    }
}

/// Frame flags. Only DATA defines one today; bits a receiver does not know
/// are ignored ([FRAME-4]).
public struct FrameFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// DATA: the payload is an LZ4 block preceded by its decoded length.
    public static let compressed = FrameFlags(rawValue: 0x01)
}
