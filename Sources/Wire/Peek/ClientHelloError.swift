/// Why the first bytes of a connection on the public TLS port cannot be routed.
public enum ClientHelloError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The bytes do not start a TLS handshake record (for example plain HTTP,
    /// SSLv2 or random data sent to the TLS port).
    case notTLS
    /// The bytes start a TLS handshake but break RFC 8446 / RFC 6066 structure.
    case malformed(String)
    /// The ClientHello, with the record headers carrying it, does not fit in
    /// the configured peek limit.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .notTLS:
            return "the client did not start a TLS handshake"
        case .malformed(let reason):
            return "malformed TLS ClientHello: \(reason)"
        case .tooLarge(let limit):
            return "TLS ClientHello is larger than the \(limit)-byte peek limit"
        }
    }
}
