extension HTTPHeadParser {
    struct RequestLine {
        var method: String
        var target: String
        var version: HTTPRequestHead.Version
    }

    enum RequestLineScan {
        case complete(RequestLine)
        case incomplete
        case failure(HTTPHeadError)
    }

    /// RFC 9110 §5.6.2 `tchar`.
    public static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-.^_`|~".utf8.contains(byte)
        }
    }

    /// Checks `method SP request-target SP HTTP-version` (RFC 9112 §3). With
    /// `isComplete` false, `line` is a prefix and only what it holds is judged.
    static func scanRequestLine(_ line: UnsafeRawBufferPointer, isComplete: Bool) -> RequestLineScan {
        var index = 0
        while index < line.count, isTokenCharacter(line[index]) { index += 1 }
        let methodEnd = index
        guard index < line.count else {
            if isComplete { return .failure(methodEnd == 0 ? .notHTTP : .malformedRequestLine("no request-target")) }
            return .incomplete
        }
        guard methodEnd > 0, line[index] == UInt8(ascii: " ") else { return .failure(.notHTTP) }
        index += 1
        let targetStart = index
        while index < line.count, line[index] > 0x20, line[index] < 0x7F { index += 1 }
        let targetEnd = index
        guard index < line.count else {
            if isComplete { return .failure(.malformedRequestLine("no HTTP version")) }
            return .incomplete
        }
        guard targetEnd > targetStart else { return .failure(.malformedRequestLine("empty request-target")) }
        guard line[index] == UInt8(ascii: " ") else {
            return .failure(.malformedRequestLine("byte 0x\(String(line[index], radix: 16)) in request-target"))
        }
        index += 1
        let versionBytes = UnsafeRawBufferPointer(rebasing: line[index...])
        let version: HTTPRequestHead.Version
        switch checkVersion(versionBytes, isComplete: isComplete) {
        case .failure(let error): return .failure(error)
        case .success(nil): return .incomplete
        case .success(let parsed?): version = parsed
        }
        return .complete(RequestLine(
            method: String(decoding: line[0..<methodEnd], as: UTF8.self),
            target: String(decoding: line[targetStart..<targetEnd], as: UTF8.self),
            version: version
        ))
    }

    /// `HTTP-version = "HTTP/" DIGIT "." DIGIT`; `nil` while a valid prefix.
    private static func checkVersion(
        _ bytes: UnsafeRawBufferPointer,
        isComplete: Bool
    ) -> Result<HTTPRequestHead.Version?, HTTPHeadError> {
        let prefix = Array("HTTP/".utf8)
        let shown = String(decoding: bytes.prefix(16), as: UTF8.self)
        let isDigit = { (byte: UInt8) in byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
        let notAVersion = HTTPHeadError.malformedRequestLine("'\(shown)' is not an HTTP version")
        for (offset, byte) in bytes.enumerated() {
            switch offset {
            case 0..<5:
                guard byte == prefix[offset] else { return .failure(notAVersion) }
            case 5:
                guard isDigit(byte) else { return .failure(notAVersion) }
                guard byte == UInt8(ascii: "1") else { return .failure(.unsupportedVersion(shown)) }
            case 6:
                guard byte == UInt8(ascii: ".") else { return .failure(notAVersion) }
            case 7:
                guard isDigit(byte) else { return .failure(notAVersion) }
                guard byte <= UInt8(ascii: "1") else { return .failure(.unsupportedVersion(shown)) }
            default:
                return .failure(.malformedRequestLine("bytes after the HTTP version"))
            }
        }
        guard bytes.count == 8 else {
            if isComplete { return .failure(.malformedRequestLine("'\(shown)' is not an HTTP version")) }
            return .success(nil)
        }
        return .success(bytes[7] == UInt8(ascii: "1") ? .http1_1 : .http1_0)
    }

    /// `field-name ":" OWS field-value OWS` (RFC 9112 §5), without its CRLF;
    /// public for the edge, which checks chunked trailer lines the same way.
    public static func parseField(_ line: UnsafeRawBufferPointer) throws(HTTPHeadError) -> HTTPRequestHead.Field {
        guard let first = line.first else { throw .badHeaderLine("empty line") }
        if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") { throw .obsoleteLineFolding }
        var index = 0
        while index < line.count, isTokenCharacter(line[index]) { index += 1 }
        guard index > 0 else { throw .badHeaderLine("field name starts with byte 0x\(String(first, radix: 16))") }
        guard index < line.count, line[index] == UInt8(ascii: ":") else {
            // RFC 9112 §5.1: whitespace between name and colon MUST be rejected.
            throw .badHeaderLine("field name is not followed by ':'")
        }
        let name = String(decoding: line[0..<index], as: UTF8.self)
        var valueStart = index + 1
        var valueEnd = line.count
        while valueStart < valueEnd, line[valueStart] == 0x20 || line[valueStart] == 0x09 { valueStart += 1 }
        while valueEnd > valueStart, line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09 { valueEnd -= 1 }
        for byte in line[valueStart..<valueEnd] where byte < 0x20 && byte != 0x09 || byte == 0x7F {
            throw .badHeaderLine("control byte 0x\(String(byte, radix: 16)) in the value of \(name)")
        }
        return HTTPRequestHead.Field(name: name, value: String(decoding: line[valueStart..<valueEnd], as: UTF8.self))
    }
}
