/// The three kinds of forward a home can declare (FORWARDS_SYNC, [CTRL-2]);
/// the raw values are the wire's spelling and the home config's.
public enum ForwardType: String, Codable, Hashable, Sendable, CaseIterable {
    /// TLS passed through untouched, routed by SNI on the edge's TLS port.
    case https
    /// Plain HTTP routed by Host on the edge's HTTP port.
    case http
    /// A public TCP port allocated by the edge.
    case tcp

    /// Whether forwards of this type are routed by name, and so need a
    /// ``ForwardHostname`` (and `tcp` ones must not have one).
    public var needsHostname: Bool { self != .tcp }
}
