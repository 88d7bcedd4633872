// Everything needed to build a TLSContext, as a plain value. Portico speaks
// TLS 1.3 only, so there are no version or cipher knobs; defaults follow the
// tunnel's needs (ALPN "portico/1", a bounded handshake).

import NIOCore

/// How one side of Portico's TLS is set up.
public struct TLSConfiguration: Sendable {
    /// Which side of the handshake this is.
    public enum Role: Sendable, Hashable {
        case client
        case server
    }

    public var role: Role
    /// Our certificate first, then intermediates. Required for a server; optional for a client.
    public var certificateChain: [Certificate]
    /// The key for `certificateChain.first`.
    public var privateKey: PrivateKey?
    /// CA certificates the peer's chain must verify against.
    public var trustRoots: [Certificate]
    /// Server only: demand and verify a client certificate (mutual TLS).
    public var requirePeerCertificate: Bool
    /// Server only: ask for a client certificate and verify it if one is
    /// presented, but let a client without one through. The tunnel port uses
    /// this so that a home that is still enrolling can connect; such a
    /// session is then allowed nothing but enrollment.
    public var requestPeerCertificate: Bool
    /// Client only: sent as SNI and verified against the server certificate's names.
    public var serverName: String?
    /// An extra SHA-256 pin the verified chain must satisfy; see `PeerPin`.
    public var pin: PeerPin?
    /// ALPN protocols in preference order. A handshake without overlap fails.
    public var applicationProtocols: [String]
    /// The handshake must finish within this time or the connection is closed.
    public var handshakeTimeout: TimeAmount
    /// After sending close_notify, how long to wait for it to be written before closing anyway.
    public var shutdownTimeout: TimeAmount

    public init(role: Role, certificateChain: [Certificate] = [], privateKey: PrivateKey? = nil,
                trustRoots: [Certificate] = [], requirePeerCertificate: Bool = false,
                requestPeerCertificate: Bool = false, serverName: String? = nil, pin: PeerPin? = nil,
                applicationProtocols: [String] = ["portico/1"],
                handshakeTimeout: TimeAmount = .seconds(10), shutdownTimeout: TimeAmount = .seconds(5)) {
        self.role = role
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.trustRoots = trustRoots
        self.requirePeerCertificate = requirePeerCertificate
        self.requestPeerCertificate = requestPeerCertificate
        self.serverName = serverName
        self.pin = pin
        self.applicationProtocols = applicationProtocols
        self.handshakeTimeout = handshakeTimeout
        self.shutdownTimeout = shutdownTimeout
    }

    /// A server presenting `certificateChain`; with `trustRoots` it demands client
    /// certificates, or with `clientCertificateOptional` only verifies those presented.
    public static func server(certificateChain: [Certificate], privateKey: PrivateKey,
                              clientTrustRoots: [Certificate] = [],
                              clientCertificateOptional: Bool = false) -> TLSConfiguration {
        let verifies = !clientTrustRoots.isEmpty
        return TLSConfiguration(role: .server, certificateChain: certificateChain, privateKey: privateKey,
                                trustRoots: clientTrustRoots,
                                requirePeerCertificate: verifies && !clientCertificateOptional,
                                requestPeerCertificate: verifies && clientCertificateOptional)
    }

    /// A client verifying the server against `trustRoots` and/or `pin`, and `serverName` if given.
    public static func client(serverName: String?, trustRoots: [Certificate] = [], pin: PeerPin? = nil,
                              certificateChain: [Certificate] = [], privateKey: PrivateKey? = nil) -> TLSConfiguration {
        TLSConfiguration(role: .client, certificateChain: certificateChain, privateKey: privateKey,
                         trustRoots: trustRoots, serverName: serverName, pin: pin)
    }
}
