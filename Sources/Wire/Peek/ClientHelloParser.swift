import NIOCore

/// Peeks at the first bytes of a connection on the public TLS port and
/// extracts the ClientHello's SNI host name and ALPN list, without consuming
/// anything: the caller keeps accumulating bytes, calls ``parse(_:)`` after
/// every read, and forwards the very same bytes once routed.
///
/// Structure followed (RFC 8446 §5.1, §4.1.2; RFC 6066 §3; RFC 7301 §3.1):
/// TLS records (type 22, 5-byte header) carry a handshake message (4-byte
/// header, type 1) whose body is legacy_version(2) random(32)
/// session_id<0..32> cipher_suites<2..2^16-2> compression_methods<1..2^8-1>
/// extensions<0..2^16-1>. The message may be split across several records and
/// across arbitrary read boundaries.
///
/// Every length is checked against its enclosing length before use, so no
/// input can make the parser read out of bounds, trap or allocate more than
/// ``maximumLength`` bytes. A valid prefix yields `.needMoreData`; an invalid
/// prefix throws as soon as the offending byte has arrived.
public struct ClientHelloParser: Sendable {
    /// The default peek limit: 16 KiB, enough for any real ClientHello
    /// (including large post-quantum key shares) with its record headers.
    public static let defaultMaximumLength = 16_384

    /// The most bytes, record headers included, the ClientHello may span.
    public var maximumLength: Int

    public init(maximumLength: Int = ClientHelloParser.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    /// Parses the readable bytes of `bytes`; the caller's buffer is untouched.
    public func parse(_ bytes: ByteBuffer) throws(ClientHelloError) -> PeekResult<ClientHelloInfo> {
        let handshake = try collectHandshakeBytes(bytes)
        do throws(PeekReader.Stop) {
            return .complete(try Self.parseHandshake(handshake, maximumLength: maximumLength))
        } catch {
            switch error {
            case .needMoreData: return .needMoreData
            case .malformed(let reason): throw .malformed(reason)
            case .tooLarge: throw .tooLarge(limit: maximumLength)
            }
        }
    }

    /// Parses bytes given as any byte collection (convenient in tests).
    public func parse(_ bytes: some Collection<UInt8>) throws(ClientHelloError) -> PeekResult<ClientHelloInfo> {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return try parse(buffer)
    }

    // MARK: - Record layer

    private static let handshakeContentType: UInt8 = 22
    /// RFC 8446 §5.1: a TLSPlaintext fragment is at most 2^14 bytes.
    private static let maximumRecordLength = 16_384

    /// Walks the TLS records and concatenates their payloads until the
    /// handshake message is complete or the received bytes run out.
    private func collectHandshakeBytes(_ bytes: ByteBuffer) throws(ClientHelloError) -> ByteBuffer {
        var input = bytes
        var handshake = ByteBufferAllocator().buffer(capacity: min(input.readableBytes, maximumLength))
        var offset = 0
        var isFirstRecord = true
        while !Self.isHandshakeComplete(handshake) {
            guard input.readableBytes > 0 else { break }
            guard offset + 5 <= maximumLength else { throw .tooLarge(limit: maximumLength) }
            try Self.checkRecordHeaderPrefix(input, isFirstRecord: isFirstRecord)
            guard let (_, _, length) = input.readMultipleIntegers(as: (UInt8, UInt16, UInt16).self) else { break }
            // RFC 8446 §5.1: zero-length handshake fragments MUST NOT be sent.
            guard length > 0 else { throw .malformed("empty handshake record") }
            guard Int(length) <= Self.maximumRecordLength else {
                throw .malformed("record length \(length) exceeds 2^14")
            }
            let recordEnd = offset + 5 + Int(length)
            guard recordEnd <= maximumLength else { throw .tooLarge(limit: maximumLength) }
            let received = min(Int(length), input.readableBytes)
            guard var payload = input.readSlice(length: received) else { break }
            handshake.writeBuffer(&payload)
            guard received == Int(length) else { break }
            offset = recordEnd
            isFirstRecord = false
        }
        return handshake
    }

    /// Validates as much of a record header as has arrived: content type
    /// handshake, record version 3.x with x ≤ 4 (RFC 8446 §5.1 allows 0x0301
    /// for an initial ClientHello; older clients send 0x0300–0x0302).
    private static func checkRecordHeaderPrefix(_ input: ByteBuffer, isFirstRecord: Bool) throws(ClientHelloError) {
        let start = input.readerIndex
        guard let contentType = input.getInteger(at: start, as: UInt8.self) else { return }
        guard contentType == handshakeContentType else {
            if isFirstRecord { throw .notTLS }
            throw .malformed("record of content type \(contentType) interleaved with the ClientHello")
        }
        guard let major = input.getInteger(at: start + 1, as: UInt8.self) else { return }
        guard major == 3 else {
            if isFirstRecord { throw .notTLS }
            throw .malformed("record version major \(major) is not 3")
        }
        guard let minor = input.getInteger(at: start + 2, as: UInt8.self) else { return }
        guard minor <= 4 else { throw .malformed("record version 3.\(minor) is not a TLS version") }
    }

    private static func isHandshakeComplete(_ handshake: ByteBuffer) -> Bool {
        let start = handshake.readerIndex
        guard let high = handshake.getInteger(at: start + 1, as: UInt8.self),
              let low = handshake.getInteger(at: start + 2, as: UInt16.self)
        else { return false }
        return handshake.readableBytes >= 4 + (Int(high) << 16 | Int(low))
    }

    // MARK: - Handshake message

    private static let clientHelloHandshakeType: UInt8 = 1

    private static func parseHandshake(
        _ handshake: ByteBuffer,
        maximumLength: Int
    ) throws(PeekReader.Stop) -> ClientHelloInfo {
        var message = PeekReader(buffer: handshake, declaredLength: Int.max)
        let type = try message.readInteger(as: UInt8.self, "handshake type")
        guard type == clientHelloHandshakeType else {
            throw .malformed("handshake type \(type) is not ClientHello (1)")
        }
        let length = try message.readUInt24("handshake length")
        // The record walk would report this once the bytes arrive; say it now.
        guard 4 + length <= maximumLength else { throw .tooLarge }
        var body = try message.readChild(length: length, "ClientHello")
        let info = try parseClientHelloBody(&body)
        // Skipped extensions are not read byte by byte; only answer once the
        // whole message is here, so the edge never routes on a partial hello.
        guard handshake.readableBytes >= 4 + length else { throw .needMoreData }
        return info
    }

    private static func parseClientHelloBody(_ body: inout PeekReader) throws(PeekReader.Stop) -> ClientHelloInfo {
        let legacyVersion = try body.readInteger(as: UInt16.self, "legacy_version")
        guard legacyVersion >> 8 == 3, legacyVersion & 0xFF <= 4 else {
            throw .malformed("legacy_version 0x\(String(legacyVersion, radix: 16)) is not a TLS version")
        }
        try body.skip(32, "random")
        let sessionID = try body.readLengthPrefixed(prefixBytes: 1, "legacy_session_id")
        guard sessionID.declaredRemaining <= 32 else {
            throw .malformed("legacy_session_id is \(sessionID.declaredRemaining) bytes, more than 32")
        }
        let cipherSuites = try body.readLengthPrefixed(prefixBytes: 2, "cipher_suites")
        guard cipherSuites.declaredRemaining >= 2, cipherSuites.declaredRemaining % 2 == 0 else {
            throw .malformed("cipher_suites length \(cipherSuites.declaredRemaining) is not an even number ≥ 2")
        }
        let compression = try body.readLengthPrefixed(prefixBytes: 1, "legacy_compression_methods")
        guard compression.declaredRemaining >= 1 else { throw .malformed("no compression methods") }

        var info = ClientHelloInfo(serverName: nil, alpnProtocols: [], legacyVersion: legacyVersion, supportedVersions: [])
        // Extensions may be absent altogether (TLS 1.2 and older, RFC 5246 §7.4.1.2).
        guard !body.isAtEnd else { return info }
        let extensionsLength = Int(try body.readInteger(as: UInt16.self, "extensions length"))
        guard extensionsLength == body.declaredRemaining else {
            throw .malformed("extensions length \(extensionsLength) does not match the \(body.declaredRemaining) bytes left in the ClientHello")
        }
        var extensions = try body.readChild(length: extensionsLength, "extensions")
        try parseExtensions(&extensions, into: &info)
        return info
    }
}
