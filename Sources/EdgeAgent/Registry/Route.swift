import Wire

/// One entry of the edge's public route table: which home and forward a
/// public hostname (TLS or HTTP listener) or port (TCP listener) leads to.
struct Route: Hashable, Sendable {
    enum Key: Hashable, Sendable {
        /// Matched against SNI or Host; may be a wildcard (`*.example.com`).
        case hostname(String)
        case port(Int)
    }

    var key: Key
    var type: ForwardType
    var home: String
    var forward: String
    var proxyProtocol: String?
    var compress: Bool?
}
