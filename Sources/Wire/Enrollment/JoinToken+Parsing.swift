// Reading a join token back from text an operator pasted. Checks run from the
// outside in (prefix, alphabet, length, checksum) so the error names the first
// thing that is wrong with what was pasted; only a token that passes the
// checksum is interpreted, so a damaged token is never read as a valid but
// different one. Every read is bounds-checked: any input is refused, not trapped.

extension JoinToken {
    /// No valid token comes near this; longer input is refused before decoding.
    static let maximumTextLength = 1024
    /// version + id + secret + pin + host length + port.
    static let fixedPayloadLength = 1 + idLength + secretLength + pinLength + 1 + 2
    static let hostLengthOffset = 1 + idLength + secretLength + pinLength

    /// Parses the text form (surrounding whitespace and newlines are ignored).
    public static func parse(_ text: String) throws(JoinTokenError) -> JoinToken {
        let trimmed = text.trimmingWhitespace()
        guard trimmed.utf8.count <= maximumTextLength else { throw .tooLong(characters: trimmed.count) }
        guard trimmed.hasPrefix(prefix) else { throw .wrongPrefix }
        let body = trimmed.dropFirst(prefix.count)
        let bytes: [UInt8]
        do throws(Base64URL.DecodeError) {
            bytes = try Base64URL.decode(body.utf8)
        } catch {
            switch error {
            case .danglingCharacter: throw .truncated
            case .invalidCharacter(let offset): throw .badBase64(position: prefix.count + offset + 1)
            }
        }
        guard bytes.count > checksumLength else { throw .truncated }
        let payload = Array(bytes.dropLast(checksumLength))
        guard checksum(payload) == Array(bytes.suffix(checksumLength)) else {
            throw isShorterThanItsLayout(payload) ? JoinTokenError.truncated : JoinTokenError.checksumMismatch
        }
        guard payload[0] == currentVersion else { throw .unsupportedVersion(payload[0]) }
        return try decodeVersion1(payload)
    }

    /// Whether a version-1 payload is too short for the host length it declares: truncation.
    private static func isShorterThanItsLayout(_ payload: [UInt8]) -> Bool {
        guard payload.count > hostLengthOffset else { return true }
        return payload.count < fixedPayloadLength + Int(payload[hostLengthOffset])
    }

    private static func decodeVersion1(_ payload: [UInt8]) throws(JoinTokenError) -> JoinToken {
        guard payload.count > hostLengthOffset else { throw .malformed("payload too short") }
        let hostLength = Int(payload[hostLengthOffset])
        guard payload.count == fixedPayloadLength + hostLength else {
            throw .malformed("payload is \(payload.count) bytes, its host needs \(fixedPayloadLength + hostLength)")
        }
        var cursor = 1
        func take(_ count: Int) -> [UInt8] {
            defer { cursor += count }
            return Array(payload[cursor..<cursor + count])
        }
        let id = take(idLength)
        let secret = take(secretLength)
        let pin = take(pinLength)
        cursor += 1
        let hostBytes = take(hostLength)
        let port = take(2).reduce(0) { UInt16($0) << 8 | UInt16($1) }
        let host = String(decoding: hostBytes, as: UTF8.self)
        guard !host.isEmpty, Array(host.utf8) == hostBytes else { throw .invalidHost(host) }
        // Only the canonical form is accepted: a token names its host exactly one way.
        guard EdgeHost(host)?.text == host else { throw .invalidHost(host) }
        return try JoinToken(host: host, port: port, id: id, secret: secret, caPin: pin)
    }
}

extension String {
    fileprivate func trimmingWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
        let end = lastIndex(where: { !isSpace($0) })!
        return self[start...end]
    }
}
