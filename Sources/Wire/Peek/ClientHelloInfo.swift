/// What the edge needs from a TLS ClientHello to route a passthrough
/// connection: the requested host name and the offered application protocols.
public struct ClientHelloInfo: Hashable, Sendable {
    /// The `host_name` from the server_name extension (RFC 6066 §3), lowercased
    /// and validated as a DNS host name; `nil` when the client sent no SNI.
    public var serverName: String?
    /// The ALPN protocol names (RFC 7301) in the client's order of preference,
    /// empty when the extension is absent. Names are decoded as UTF-8; bytes
    /// that are not UTF-8 become U+FFFD.
    public var alpnProtocols: [String]
    /// The ClientHello `legacy_version` (0x0303 for TLS 1.2 and 1.3 clients).
    public var legacyVersion: UInt16
    /// The supported_versions extension (RFC 8446 §4.2.1) as sent, GREASE
    /// values included; empty when absent (a client of TLS 1.2 or older).
    public var supportedVersions: [UInt16]

    public init(serverName: String?, alpnProtocols: [String], legacyVersion: UInt16, supportedVersions: [UInt16]) {
        self.serverName = serverName
        self.alpnProtocols = alpnProtocols
        self.legacyVersion = legacyVersion
        self.supportedVersions = supportedVersions
    }

    /// True when the client offers TLS 1.3.
    public var offersTLS13: Bool { supportedVersions.contains(0x0304) }
}
