/// The public hostname of an `https` or `http` forward ([CTRL-6]): a
/// ``DNSName`` of at least two labels, optionally preceded by `*.` to route
/// every name one level or more below it. The wildcard must be the whole
/// first label; `*` is allowed nowhere else.
///
/// The home checks its config with this type and the edge checks
/// FORWARDS_SYNC with it, so a config the home loads never holds a hostname
/// the edge refuses as a name (whether it lies under the home's domains is
/// the edge's decision: only it knows who holds which domain).
public struct ForwardHostname: Hashable, Sendable, CustomStringConvertible {
    /// Canonical text: lower case, no trailing dot, `*.` kept (`*.example.com`).
    public let text: String
    /// The name without the wildcard (`example.com` for `*.example.com`).
    public let name: DNSName
    public let isWildcard: Bool

    public init(_ text: String) throws(DNSNameError) {
        let isWildcard = text.hasPrefix("*.")
        let rest = isWildcard ? text.dropFirst(2) : Substring(text)
        // Named in full, so the message shows the whole hostname, not what follows "*.".
        if rest.contains("*") { throw .wildcardNotAllowed(text.lowercased()) }
        let name = try DNSName(rest)
        let canonical = isWildcard ? "*." + name.text : name.text
        guard canonical.utf8.count <= DNSName.maximumLength else { throw .tooLong(length: canonical.utf8.count) }
        guard name.labelCount >= 2 else { throw .tooFewLabels(canonical) }
        self.text = canonical
        self.name = name
        self.isWildcard = isWildcard
    }

    public var description: String { text }
}
