import NIOCore

/// Peeks at the first bytes of a connection on the public HTTP port and parses
/// the HTTP/1.x request head, without consuming anything: the caller keeps
/// accumulating bytes, calls ``parse(_:)`` after every read and forwards the
/// very same bytes once routed.
///
/// Strict by design (RFC 9112), because the edge and the home's server must
/// agree on which host a request is for:
/// - lines end in CRLF; a bare LF or bare CR is rejected, not tolerated;
/// - obsolete line folding, whitespace before a header colon, control
///   characters in values and more than one Host line are rejected;
/// - an empty line before the request line is rejected (it is only a
///   leftover of a previous request on a reused connection, never the first
///   bytes of one);
/// - only HTTP/1.0 and HTTP/1.1 are accepted; HTTP/1.1 requires Host.
///
/// Garbage is rejected as soon as the offending byte has arrived.
public struct HTTPHeadParser: Sendable {
    /// The default limit on the whole head, request line to empty line: 16 KiB.
    public static let defaultMaximumLength = 16_384

    /// The most bytes the head, including its final CRLF CRLF, may span.
    public var maximumLength: Int

    public init(maximumLength: Int = HTTPHeadParser.defaultMaximumLength) {
        self.maximumLength = maximumLength
    }

    /// Parses the readable bytes of `bytes`; the caller's buffer is untouched.
    public func parse(_ bytes: ByteBuffer) throws(HTTPHeadError) -> PeekResult<HTTPRequestHead> {
        let result = bytes.withUnsafeReadableBytes { raw in
            Result { () throws(HTTPHeadError) in try parse(raw: raw) }
        }
        return try result.get()
    }

    /// Parses bytes given as any byte collection (convenient in tests).
    public func parse(_ bytes: some Collection<UInt8>) throws(HTTPHeadError) -> PeekResult<HTTPRequestHead> {
        var buffer = ByteBufferAllocator().buffer(capacity: bytes.count)
        buffer.writeBytes(bytes)
        return try parse(buffer)
    }

    private func parse(raw: UnsafeRawBufferPointer) throws(HTTPHeadError) -> PeekResult<HTTPRequestHead> {
        var requestLine: RequestLine?
        var fields: [HTTPRequestHead.Field] = []
        var lineStart = 0
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            if byte == UInt8(ascii: "\n") {
                throw .bareLineFeed
            }
            guard byte == UInt8(ascii: "\r") else {
                index += 1
                continue
            }
            guard index + 1 < raw.count else { break }
            guard raw[index + 1] == UInt8(ascii: "\n") else { throw .bareCarriageReturn }
            let lineEnd = index + 2
            guard lineEnd <= maximumLength else { throw .tooLarge(limit: maximumLength) }
            let line = UnsafeRawBufferPointer(rebasing: raw[lineStart..<index])
            if let parsedLine = requestLine {
                if line.isEmpty {
                    return .complete(try Self.makeHead(parsedLine, fields: fields, headLength: lineEnd))
                }
                fields.append(try Self.parseField(line))
            } else {
                switch Self.scanRequestLine(line, isComplete: true) {
                case .complete(let parsed): requestLine = parsed
                case .failure(let error): throw error
                case .incomplete: throw .malformedRequestLine("request line ends early")
                }
            }
            lineStart = lineEnd
            index = lineEnd
        }
        if requestLine == nil {
            // Reject garbage before a whole line has arrived.
            let partial = UnsafeRawBufferPointer(rebasing: raw[lineStart..<min(index, raw.count)])
            if case .failure(let error) = Self.scanRequestLine(partial, isComplete: false) { throw error }
        }
        guard raw.count < maximumLength else { throw .tooLarge(limit: maximumLength) }
        return .needMoreData
    }
}
