// Why a join token was refused. A home operator pastes the token by hand, so
// each case says what is wrong with what they pasted and what to do about it;
// none of them echo the token back (it carries a secret).

/// A join token that cannot be used.
public enum JoinTokenError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text does not start with `portico1-`.
    case wrongPrefix
    /// The text is far longer than any join token can be.
    case tooLong(characters: Int)
    /// A character outside base64url, or a non-canonical final character.
    case badBase64(position: Int)
    /// The token is shorter than its own contents say it must be.
    case truncated
    /// The checksum does not match: some character was changed or lost.
    case checksumMismatch
    /// A format version this build does not understand.
    case unsupportedVersion(UInt8)
    /// The checksum matched but the layout is wrong (e.g. extra bytes); a faulty issuer.
    case malformed(String)
    /// The edge host is not a DNS name, IPv4 address or IPv6 address.
    case invalidHost(String)
    /// Port 0 cannot be dialled.
    case invalidPort
    /// A field has the wrong size when building a token (id 16, secret 32, pin 32 bytes).
    case invalidFieldLength(field: String, expected: Int, actual: Int)

    public var description: String {
        switch self {
        case .wrongPrefix:
            "not a Portico join token: it must start with \"\(JoinToken.prefix)\""
        case .tooLong(let characters):
            "not a Portico join token: \(characters) characters is far longer than a join token"
        case .badBase64(let position):
            "token damaged: unexpected character at position \(position); check it was copied completely"
        case .truncated:
            "token damaged: it is incomplete; check it was copied completely"
        case .checksumMismatch:
            "token damaged: check it was copied completely"
        case .unsupportedVersion(let version):
            "join token format version \(version) is not supported by this homeagent; upgrade homeagent"
        case .malformed(let detail):
            "invalid join token (\(detail)); check it was copied whole, or get a new one with `edgeagent home token NAME`"
        case .invalidHost(let host):
            "invalid edge host \"\(host)\" in the join token; check the edge's --hostname"
        case .invalidPort:
            "invalid edge port 0 in the join token; check the edge's tunnel port"
        case .invalidFieldLength(let field, let expected, let actual):
            "join token \(field) must be \(expected) bytes, got \(actual)"
        }
    }
}
