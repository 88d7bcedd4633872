/// Why the first bytes of a connection on the public HTTP port cannot be
/// routed. Each case maps to a `400 Bad Request` (or `431` for ``tooLarge``).
public enum HTTPHeadError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The first bytes are not an HTTP method followed by a space (for example
    /// a TLS ClientHello sent to the HTTP port).
    case notHTTP
    /// The request line is not `method SP request-target SP HTTP-version`.
    case malformedRequestLine(String)
    /// The request line names an HTTP version other than 1.0 or 1.1.
    case unsupportedVersion(String)
    /// A header line is not `field-name ":" OWS field-value OWS`.
    case badHeaderLine(String)
    /// A header line starts with whitespace (obsolete line folding, RFC 9112 §5.2).
    case obsoleteLineFolding
    /// A line ends in LF without CR. Rejected rather than tolerated so that
    /// the edge never reads a different header set than the home's server.
    case bareLineFeed
    /// A CR is not followed by LF (RFC 9112 §2.2).
    case bareCarriageReturn
    /// An HTTP/1.1 request has no Host header (RFC 9112 §3.2).
    case missingHost
    /// The request has more than one Host header line (RFC 9112 §3.2).
    case duplicateHost
    /// The Host header names another host than the absolute-form target.
    case conflictingHost
    /// The Host value (or target authority) is not a valid host[:port].
    case invalidHost(String)
    /// No complete head within the configured limit.
    case tooLarge(limit: Int)

    public var description: String {
        switch self {
        case .notHTTP: return "the client did not send an HTTP request"
        case .malformedRequestLine(let reason): return "malformed HTTP request line: \(reason)"
        case .unsupportedVersion(let version): return "unsupported HTTP version \(version); only HTTP/1.0 and HTTP/1.1 are accepted"
        case .badHeaderLine(let reason): return "malformed HTTP header line: \(reason)"
        case .obsoleteLineFolding: return "HTTP header line folding (a line starting with whitespace) is not accepted"
        case .bareLineFeed: return "HTTP line ends in LF without CR"
        case .bareCarriageReturn: return "HTTP line contains CR not followed by LF"
        case .missingHost: return "HTTP/1.1 request has no Host header"
        case .duplicateHost: return "HTTP request has more than one Host header"
        case .conflictingHost: return "HTTP Host header disagrees with the request target's host"
        case .invalidHost(let reason): return "invalid HTTP Host: \(reason)"
        case .tooLarge(let limit): return "HTTP request head is larger than the \(limit)-byte peek limit"
        }
    }
}
