import Wire

/// Where the public reaches this edge: its hostname, its public TLS and HTTP
/// ports and the range TCP forwards get their ports from. The control plane
/// needs these to tell a home the address of each forward it declared, so
/// they must be the values the public listeners bind.
struct EdgePublicAddresses: Hashable, Sendable {
    /// The edge's public DNS name, shown in TCP forward addresses.
    var hostname: String
    /// The public TLS port (SNI passthrough); 443 in production.
    var tlsPort: Int
    /// The public HTTP port (Host routing); 80 in production.
    var httpPort: Int
    /// Public ports handed to TCP forwards.
    var tcpPortRange: ClosedRange<Int>

    /// The rootless defaults of DESIGN.md (base port 8443).
    static let defaultTLSPort = 8443
    static let defaultHTTPPort = 8442
    static let defaultTCPPortRange = 10_000...10_099

    init(
        hostname: String, tlsPort: Int = defaultTLSPort, httpPort: Int = defaultHTTPPort,
        tcpPortRange: ClosedRange<Int> = defaultTCPPortRange
    ) {
        self.hostname = hostname
        self.tlsPort = tlsPort
        self.httpPort = httpPort
        self.tcpPortRange = tcpPortRange
    }

    /// The address the public uses for an accepted forward:
    /// `https://blog.example.com`, `http://app.example.com:8442`,
    /// `edge.example.com:10003`. The scheme's default port is left out.
    func address(of forward: Forward) -> String? {
        address(type: forward.type, hostname: forward.hostname, port: forward.publicPort)
    }

    /// The same for a forward's parts (a route has no `Forward`).
    func address(type: ForwardType, hostname name: String?, port: Int?) -> String? {
        switch type {
        case .https:
            name.map { "https://\($0)" + Self.portSuffix(tlsPort, unless: 443) }
        case .http:
            name.map { "http://\($0)" + Self.portSuffix(httpPort, unless: 80) }
        case .tcp:
            port.map { "\(hostname):\($0)" }
        }
    }

    private static func portSuffix(_ port: Int, unless standard: Int) -> String {
        port == standard ? "" : ":\(port)"
    }
}
