/// Error codes carried by RST and GOAWAY ([ERR-1]). A struct so that codes
/// defined by later versions survive decoding and can be logged.
public struct WireErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Graceful: no error.
    public static let noError = WireErrorCode(rawValue: 0x0)
    /// The peer broke a rule of the protocol.
    public static let protocolError = WireErrorCode(rawValue: 0x1)
    /// The sender hit a bug or resource failure unrelated to the peer.
    public static let internalError = WireErrorCode(rawValue: 0x2)
    /// The peer sent more than its flow-control window allowed.
    public static let flowControlError = WireErrorCode(rawValue: 0x3)
    /// A frame was larger than negotiated or had the wrong fixed size.
    public static let frameSizeError = WireErrorCode(rawValue: 0x4)
    /// A frame arrived for a stream that was already half-closed that way.
    public static let streamClosed = WireErrorCode(rawValue: 0x5)
    /// The stream was refused before any processing; it is safe to retry.
    public static let refusedStream = WireErrorCode(rawValue: 0x6)
    /// The stream is no longer wanted.
    public static let cancel = WireErrorCode(rawValue: 0x7)
    /// No common protocol version.
    public static let versionMismatch = WireErrorCode(rawValue: 0x8)
    /// The receiver could not reach the stream's target.
    public static let connectFailed = WireErrorCode(rawValue: 0x9)
    /// OPEN named a forward the receiver does not have.
    public static let unknownForward = WireErrorCode(rawValue: 0xA)
    /// The peer exceeded a limit (too many streams, too many pings).
    public static let enhanceYourCalm = WireErrorCode(rawValue: 0xB)
    /// The peer stopped answering keepalives.
    public static let timeout = WireErrorCode(rawValue: 0xC)
    /// A newer session of the same peer took this one's place ([ERR-5]).
    public static let sessionReplaced = WireErrorCode(rawValue: 0xD)

    public var description: String {
        switch self {
        case .noError: "NO_ERROR"
        case .protocolError: "PROTOCOL_ERROR"
        case .internalError: "INTERNAL_ERROR"
        case .flowControlError: "FLOW_CONTROL_ERROR"
        case .frameSizeError: "FRAME_SIZE_ERROR"
        case .streamClosed: "STREAM_CLOSED"
        case .refusedStream: "REFUSED_STREAM"
        case .cancel: "CANCEL"
        case .versionMismatch: "VERSION_MISMATCH"
        case .connectFailed: "CONNECT_FAILED"
        case .unknownForward: "UNKNOWN_FORWARD"
        case .enhanceYourCalm: "ENHANCE_YOUR_CALM"
        case .timeout: "TIMEOUT"
        case .sessionReplaced: "SESSION_REPLACED"
        default: "ERROR(0x\(String(rawValue, radix: 16)))"
        }
    }
}
