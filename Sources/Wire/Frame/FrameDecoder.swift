import NIOCore

/// Turns a byte stream into frames. A plain struct the session owns: `append`
/// what arrives, then call `nextFrame()` until it returns nil.
///
/// Every check here depends only on the frame itself; rules that need session
/// state (stream states, windows) live in the multiplexer. A thrown error is
/// always a connection error ([ERR-2]) and the decoder must not be used again.
public struct FrameDecoder: Sendable {
    /// Largest payload accepted: the value this side advertised in HELLO.
    public var maxPayloadSize: Int

    private var buffer: ByteBuffer?
    /// A header already read whose payload has not fully arrived. Keeping it
    /// apart means a payload that arrives in a buffer of its own is sliced
    /// from that buffer instead of being copied behind the header.
    private var pendingHeader: FrameHeader?

    public init(maxPayloadSize: Int = FrameLimits.minimumMaxFrameSize) {
        self.maxPayloadSize = maxPayloadSize
    }

    /// Bytes received but not yet decoded.
    public var bufferedBytes: Int { (buffer?.readableBytes ?? 0) + (pendingHeader == nil ? 0 : FrameHeader.size) }

    public mutating func append(_ bytes: ByteBuffer) {
        if buffer == nil {
            buffer = bytes
        } else {
            var incoming = bytes
            buffer!.writeBuffer(&incoming)
        }
    }

    /// The next complete frame, or nil when more bytes are needed.
    public mutating func nextFrame() throws(WireProtocolError) -> Frame? {
        if pendingHeader == nil {
            guard var bytes = buffer, bytes.readableBytes >= FrameHeader.size else { return nil }
            let header = bytes.readFrameHeader()!
            guard header.length <= maxPayloadSize else {
                // [LIMIT-2] Checked before waiting for the payload, so an oversized
                // length can never make us buffer it.
                throw WireProtocolError(.frameSizeError, "\(header.type) payload of \(header.length) bytes exceeds the \(maxPayloadSize)-byte limit")
            }
            pendingHeader = header
            keep(bytes)
        }
        let header = pendingHeader!
        let length = Int(header.length)
        let payload: ByteBuffer
        if length == 0 {
            payload = ByteBuffer()
        } else {
            guard var bytes = buffer, let slice = bytes.readSlice(length: length) else { return nil }
            payload = slice
            keep(bytes)
        }
        pendingHeader = nil
        return try Self.decode(header: header, payload: payload, maxPayloadSize: maxPayloadSize)
    }

    /// Stores what is left of the buffer; an empty one is dropped so that the
    /// next `append` adopts the incoming buffer instead of copying into it.
    private mutating func keep(_ bytes: ByteBuffer) {
        if bytes.readableBytes == 0 {
            buffer = nil
        } else {
            buffer = bytes
            if bytes.readerIndex > 65_536 { buffer!.discardReadBytes() }
        }
    }

    /// Decodes one frame from its header and exactly `header.length` payload bytes.
    public static func decode(header: FrameHeader, payload: ByteBuffer, maxPayloadSize: Int) throws(WireProtocolError) -> Frame {
        var payload = payload
        guard header.streamID <= .maximum else {
            throw WireProtocolError(.protocolError, "stream id \(header.streamID) uses the reserved high bit")
        }
        switch header.type {
        case .hello:
            try require(header, onConnection: true)
            return .hello(try decodeHello(&payload))
        case .open:
            try require(header, onConnection: false)
            return try decodeOpen(header.streamID, &payload)
        case .data:
            try require(header, onConnection: false)
            return .data(header.streamID, try decodeData(header, &payload, maxPayloadSize: maxPayloadSize))
        case .windowUpdate:
            let increment = try readFixed(header, &payload, as: UInt32.self)
            guard increment >= 1, increment <= FrameLimits.maximumWindow else {
                throw WireProtocolError(.protocolError, "WINDOW_UPDATE increment \(increment) outside 1...2^31-1")
            }
            return .windowUpdate(header.streamID, increment: increment)
        case .fin:
            try require(header, onConnection: false)
            try requireLength(header, 0)
            return .fin(header.streamID)
        case .rst:
            try require(header, onConnection: false)
            return .rst(header.streamID, WireErrorCode(rawValue: try readFixed(header, &payload, as: UInt32.self)))
        case .ping:
            try require(header, onConnection: true)
            return .ping(try readFixed(header, &payload, as: UInt64.self))
        case .pong:
            try require(header, onConnection: true)
            return .pong(try readFixed(header, &payload, as: UInt64.self))
        case .goAway:
            try require(header, onConnection: true)
            guard let (last, code) = payload.readMultipleIntegers(as: (UInt32, UInt32).self) else {
                throw WireProtocolError(.frameSizeError, "GOAWAY needs at least 8 bytes, got \(header.length)")
            }
            let debug = payload.readString(length: payload.readableBytes) ?? ""
            return .goAway(lastStreamID: StreamID(last & 0x7FFF_FFFF), code: WireErrorCode(rawValue: code), debug: debug)
        case .control:
            try require(header, onConnection: true)
            guard let kind = payload.readInteger(as: UInt16.self) else {
                throw WireProtocolError(.frameSizeError, "CONTROL needs at least 2 bytes, got \(header.length)")
            }
            return .control(kind: kind, body: payload)
        default:
            return .unknown(header)
        }
    }

    private static func require(_ header: FrameHeader, onConnection: Bool) throws(WireProtocolError) {
        if onConnection != header.streamID.isConnection {
            let expected = onConnection ? "stream 0" : "a non-zero stream"
            throw WireProtocolError(.protocolError, "\(header.type) must be sent on \(expected), got stream \(header.streamID)")
        }
    }

    private static func requireLength(_ header: FrameHeader, _ length: Int) throws(WireProtocolError) {
        guard header.length == length else {
            throw WireProtocolError(.frameSizeError, "\(header.type) payload must be \(length) bytes, got \(header.length)")
        }
    }

    private static func readFixed<T: FixedWidthInteger>(_ header: FrameHeader, _ payload: inout ByteBuffer, as: T.Type) throws(WireProtocolError) -> T {
        try requireLength(header, MemoryLayout<T>.size)
        return payload.readInteger(as: T.self)!
    }

    private static func decodeHello(_ payload: inout ByteBuffer) throws(WireProtocolError) -> Hello {
        guard let (minimum, maximum) = payload.readMultipleIntegers(as: (UInt16, UInt16).self),
            payload.readableBytes % 6 == 0
        else {
            throw WireProtocolError(.frameSizeError, "HELLO payload must be 4 bytes plus 6 per setting")
        }
        guard minimum <= maximum else {
            throw WireProtocolError(.protocolError, "HELLO version range \(minimum)...\(maximum) is empty")
        }
        var settings: [Setting] = []
        settings.reserveCapacity(payload.readableBytes / 6)
        while let (id, value) = payload.readMultipleIntegers(as: (UInt16, UInt32).self) {
            settings.append(Setting(SettingID(rawValue: id), value))
        }
        return Hello(minimumVersion: minimum, maximumVersion: maximum, settings: settings)
    }

    private static func decodeData(_ header: FrameHeader, _ payload: inout ByteBuffer, maxPayloadSize: Int) throws(WireProtocolError) -> DataPayload {
        guard header.flags.contains(.compressed) else { return .plain(payload) }
        guard let decoded = payload.readInteger(as: UInt32.self), payload.readableBytes > 0 else {
            throw WireProtocolError(.frameSizeError, "compressed DATA needs a 4-byte length and a non-empty block")
        }
        guard decoded >= 1 else {
            throw WireProtocolError(.protocolError, "compressed DATA announces a decoded length of 0")
        }
        guard decoded <= maxPayloadSize else {
            throw WireProtocolError(.frameSizeError, "compressed DATA decodes to \(decoded) bytes, above the \(maxPayloadSize)-byte limit")
        }
        return .lz4(decodedLength: Int(decoded), block: payload)
    }

    private static func decodeOpen(_ id: StreamID, _ payload: inout ByteBuffer) throws(WireProtocolError) -> Frame {
        guard let metadataLength = payload.readInteger(as: UInt16.self),
            var tlvs = payload.readSlice(length: Int(metadataLength))
        else {
            throw WireProtocolError(.frameSizeError, "OPEN metadata length exceeds the frame")
        }
        var forward: String?
        var metadata = StreamMetadata(forward: "")
        while tlvs.readableBytes > 0 {
            guard let (tag, length) = tlvs.readMultipleIntegers(as: (UInt8, UInt16).self),
                var value = tlvs.readSlice(length: Int(length))
            else {
                throw WireProtocolError(.frameSizeError, "OPEN metadata entry overruns the metadata block")
            }
            switch MetadataTag(rawValue: tag) {
            case .forward:
                guard forward == nil else { throw WireProtocolError(.protocolError, "OPEN names its forward twice") }
                forward = try readName(&value, what: "forward name")
            case .clientAddress:
                metadata.clientAddress = try readAddress(&value)
            case .serverName:
                metadata.serverName = try readName(&value, what: "server name")
            case .publicPort:
                guard value.readableBytes == 2 else {
                    throw WireProtocolError(.frameSizeError, "OPEN public port must be 2 bytes")
                }
                metadata.publicPort = value.readInteger()
            case .purpose:
                guard value.readableBytes == 1, let purpose = value.readInteger(as: UInt8.self) else {
                    throw WireProtocolError(.frameSizeError, "OPEN purpose must be 1 byte")
                }
                metadata.purpose = StreamPurpose(rawValue: purpose)
            case nil:
                continue  // [EXT-3] unknown metadata is skipped
            }
        }
        guard let forward else { throw WireProtocolError(.protocolError, "OPEN without a forward name") }
        metadata.forward = forward
        return .open(id, metadata, initialData: payload)
    }

    private static func readName(_ value: inout ByteBuffer, what: String) throws(WireProtocolError) -> String {
        guard (1...255).contains(value.readableBytes),
            let bytes = value.readBytes(length: value.readableBytes),
            let name = String(validating: bytes, as: UTF8.self)
        else {
            throw WireProtocolError(.protocolError, "OPEN \(what) must be 1 to 255 bytes of UTF-8")
        }
        return name
    }

    private static func readAddress(_ value: inout ByteBuffer) throws(WireProtocolError) -> PeerAddress {
        guard let family = value.readInteger(as: UInt8.self),
            family == 4 || family == 6,
            value.readableBytes == (family == 4 ? 6 : 18),
            let ip = value.readBytes(length: family == 4 ? 4 : 16),
            let port = value.readInteger(as: UInt16.self),
            let address = PeerAddress(ipBytes: ip, port: port)
        else {
            throw WireProtocolError(.frameSizeError, "OPEN client address must be family 4 with 6 bytes or family 6 with 18 bytes")
        }
        return address
    }
}
