import NIOCore

/// One decoded frame. Each case carries exactly the fields the specification
/// defines for its type; `unknown` keeps frames of future types so that the
/// session can ignore them without tearing down the connection ([EXT-1]).
public enum Frame: Hashable, Sendable {
    case hello(Hello)
    case open(StreamID, StreamMetadata, initialData: ByteBuffer)
    case data(StreamID, DataPayload)
    case windowUpdate(StreamID, increment: UInt32)
    case fin(StreamID)
    case rst(StreamID, WireErrorCode)
    case ping(UInt64)
    case pong(UInt64)
    case goAway(lastStreamID: StreamID, code: WireErrorCode, debug: String)
    case control(kind: UInt16, body: ByteBuffer)
    case unknown(FrameHeader)

    /// The frame's type byte.
    public var type: FrameType {
        switch self {
        case .hello: .hello
        case .open: .open
        case .data: .data
        case .windowUpdate: .windowUpdate
        case .fin: .fin
        case .rst: .rst
        case .ping: .ping
        case .pong: .pong
        case .goAway: .goAway
        case .control: .control
        case .unknown(let header): header.type
        }
    }

    /// The stream the frame belongs to (`.connection` for stream 0 frames).
    public var streamID: StreamID {
        switch self {
        case .open(let id, _, _), .data(let id, _), .windowUpdate(let id, _), .fin(let id), .rst(let id, _):
            id
        case .unknown(let header):
            header.streamID
        case .hello, .ping, .pong, .goAway, .control:
            .connection
        }
    }
}

/// A DATA frame's payload: plain bytes, or an LZ4 block together with the
/// size it decodes to (negotiated with the `lz4` capability, [COMP-1]).
public enum DataPayload: Hashable, Sendable {
    case plain(ByteBuffer)
    case lz4(decodedLength: Int, block: ByteBuffer)

    /// Bytes the payload stands for once decoded; flow control counts these ([FLOW-2]).
    public var decodedLength: Int {
        switch self {
        case .plain(let bytes): bytes.readableBytes
        case .lz4(let length, _): length
        }
    }
}

/// Limits the decoder enforces on every frame.
public enum FrameLimits {
    /// Every peer accepts payloads of at least this size ([LIMIT-1]).
    public static let minimumMaxFrameSize = 16_384
    /// No peer may advertise more than this (the length is 24 useful bits).
    public static let maximumMaxFrameSize = 16_777_215
    /// Flow-control windows never exceed 2^31-1 ([FLOW-5]).
    public static let maximumWindow = 0x7FFF_FFFF
    /// Largest GOAWAY debug text we send; longer text is truncated.
    public static let maximumDebugBytes = 1024
}
