import Wire

extension HomeConfig {
    /// One public entry point and the single local address behind it.
    ///
    /// The edge names only the forward when it opens a stream; the home looks
    /// the name up here and dials `target`, so an edge can never make a home
    /// connect anywhere its owner did not write down.
    struct Forward: Equatable, Sendable {
        /// Unique within the config; a valid ``ForwardName`` ([CTRL-4]), as
        /// ``HomeConfig/validate()`` checks.
        var name: String
        var type: ForwardType
        /// Public hostname for `https` / `http` (may be `*.example.com`); `nil`
        /// for `tcp`. Canonical, as the edge will store it.
        var hostname: ForwardHostname?
        /// The address this forward dials for its traffic.
        var target: Address
        /// For `https` forwards: where plain-HTTP ACME HTTP-01 challenges for
        /// the hostname go (an ACME client's responder at home), since the TLS
        /// target cannot answer plaintext. The only other address ever dialled.
        var acmeTarget: Address?
        /// Send a PROXY protocol header so the local service sees the client address.
        var proxyProtocol: ProxyProtocolVersion?
        /// Ask for LZ4 on this forward's tunnel bytes; `nil` means off.
        var compress: Bool?
        /// For `tcp`: the public port to ask the edge for (frp's
        /// `remote_port`); `nil` takes any free one ([CTRL-7]).
        var port: Int?

        init(
            name: String, type: ForwardType, hostname: ForwardHostname? = nil, target: Address,
            acmeTarget: Address? = nil, proxyProtocol: ProxyProtocolVersion? = nil, compress: Bool? = nil,
            port: Int? = nil
        ) {
            self.name = name
            self.type = type
            self.hostname = hostname
            self.target = target
            self.acmeTarget = acmeTarget
            self.proxyProtocol = proxyProtocol
            self.compress = compress
            self.port = port
        }

        /// Whether LZ4 is requested once the default (off) is applied.
        var compresses: Bool { compress ?? false }
    }

    /// PROXY protocol versions a forward may ask for; only v2 is sent.
    enum ProxyProtocolVersion: String, CaseIterable, Sendable {
        case v2
    }
}
