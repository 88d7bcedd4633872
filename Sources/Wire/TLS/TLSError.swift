// Why a TLS connection failed. Kinds are a struct with static members (like
// wire error codes) so callers can match on them; the message carries
// OpenSSL's own text (verify result and error queue) so a user can act on it.

/// A TLS configuration or connection failure.
public struct TLSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely; stable for callers to match on.
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        let name: String
        public var description: String { name }

        /// The configuration cannot work (missing key, no trust anchor, bad ALPN list).
        public static let invalidConfiguration = Kind(name: "invalidConfiguration")
        /// The handshake failed for a reason other than the ones below.
        public static let handshakeFailed = Kind(name: "handshakeFailed")
        /// We rejected the peer's certificate: untrusted, expired, wrong name, pin mismatch.
        public static let peerVerificationFailed = Kind(name: "peerVerificationFailed")
        /// No application protocol (ALPN) both sides support.
        public static let noApplicationProtocol = Kind(name: "noApplicationProtocol")
        /// The peer sent a fatal alert (e.g. it rejected our certificate).
        public static let peerAlert = Kind(name: "peerAlert")
        /// The handshake did not finish within the configured time.
        public static let handshakeTimeout = Kind(name: "handshakeTimeout")
        /// The connection ended without close_notify (possible truncation attack).
        public static let truncated = Kind(name: "truncated")
        /// Corrupt or unexpected records after the handshake.
        public static let protocolError = Kind(name: "protocolError")
    }

    public let kind: Kind
    public let message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { "TLS \(kind): \(message)" }
}
