// What a finished handshake negotiated, so that callers can check identity
// (which home is this?) without touching OpenSSL.

/// Facts about an established TLS session.
public struct TLSSessionInfo: Sendable {
    /// The negotiated ALPN protocol; always one of the configured ones.
    public var applicationProtocol: String?
    /// The protocol version, e.g. "TLSv1.3".
    public var protocolVersion: String
    /// The cipher suite, e.g. "TLS_AES_256_GCM_SHA384".
    public var cipherSuite: String
    /// The SNI name: the one the client sent (server side) or asked for (client side).
    public var serverName: String?
    /// The peer's leaf certificate, if it presented one.
    public var peerCertificate: Certificate?
    /// The verified chain, leaf first, ending at a trust anchor (empty if the peer was not verified).
    public var peerVerifiedChain: [Certificate]
}
