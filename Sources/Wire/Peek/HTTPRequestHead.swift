/// The parts of an HTTP/1.x request head the edge routes by: the request line,
/// the normalized Host and the head's exact length in bytes.
public struct HTTPRequestHead: Hashable, Sendable {
    /// HTTP versions the edge routes.
    public enum Version: Hashable, Sendable {
        case http1_0
        case http1_1
    }

    /// One header line, name and value as sent (value without surrounding
    /// whitespace; bytes that are not UTF-8 become U+FFFD).
    public struct Field: Hashable, Sendable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The method token, case preserved (methods are case-sensitive).
    public var method: String
    /// The request-target exactly as sent.
    public var target: String
    /// The path of the target without query: the origin-form path, the path of
    /// an absolute-form target (`/` if it has none), `*` for asterisk-form and
    /// empty for authority-form (CONNECT).
    public var path: String
    public var version: Version
    /// The host to route by, lowercased, without port or trailing dot; IPv6
    /// literals keep their brackets (`[::1]`). Taken from an absolute-form
    /// target if there is one, else from the Host header. `nil` when absent
    /// (HTTP/1.0) or empty.
    public var host: String?
    /// The port given with the host, if any.
    public var port: UInt16?
    /// Every header line in order, Host included.
    public var fields: [Field]
    /// Bytes from the start of the request through the empty line ending the
    /// head; the body, if any, starts here.
    public var headLength: Int

    public init(
        method: String, target: String, path: String, version: Version,
        host: String?, port: UInt16?, fields: [Field], headLength: Int
    ) {
        self.method = method
        self.target = target
        self.path = path
        self.version = version
        self.host = host
        self.port = port
        self.fields = fields
        self.headLength = headLength
    }

    /// The values of every header named `name` (compared case-insensitively).
    public func values(named name: String) -> [String] {
        let wanted = name.lowercased()
        return fields.filter { $0.name.lowercased() == wanted }.map(\.value)
    }

    /// The ACME HTTP-01 path prefix (RFC 8555 §8.3).
    public static let acmeChallengePrefix = "/.well-known/acme-challenge/"

    /// True when `path` is an ACME HTTP-01 challenge, which the edge forwards
    /// to the owning home instead of redirecting to HTTPS.
    public static func isACMEChallenge(path: String) -> Bool {
        path.utf8.starts(with: acmeChallengePrefix.utf8)
    }

    /// True when this request is an ACME HTTP-01 challenge.
    public var isACMEChallenge: Bool { Self.isACMEChallenge(path: path) }
}
