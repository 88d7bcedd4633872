// The host part of an edge address, as a join token carries it and as
// `edgeagent --hostname` accepts it. The home dials it, so it must be something
// a resolver or socket takes as is: a DNS name (LDH labels, RFC 1123), a
// dotted-quad IPv4 address or an IPv6 address. It has one canonical spelling
// (DNS names lower-cased, IPv6 without brackets; brackets belong to the
// `host:port` text form only), so equal hosts compare equal.

import Foundation

/// A validated, canonical edge host name or address.
public struct EdgeHost: Sendable, Hashable, CustomStringConvertible {
    /// What kind of host this is; certificates can name only `.dnsName` hosts.
    public enum Kind: Sendable, Hashable {
        case dnsName
        case ipv4
        case ipv6
    }

    /// The canonical text: lower-case DNS name, dotted quad, or IPv6 without brackets.
    public let text: String
    public let kind: Kind

    /// Validates `text`; an IPv6 address may be given in brackets (`[::1]`). Nil if invalid.
    public init?(_ text: String) {
        if text.hasPrefix("["), text.hasSuffix("]"), text.count > 2 {
            let inner = String(text.dropFirst().dropLast())
            guard Self.isIPv6(inner) else { return nil }
            self.text = inner
            self.kind = .ipv6
        } else if Self.isIPv6(text) {
            self.text = text
            self.kind = .ipv6
        } else if Self.isIPv4(text) {
            self.text = text
            self.kind = .ipv4
        } else if Self.isDNSName(text) {
            self.text = text.lowercased()
            self.kind = .dnsName
        } else {
            return nil
        }
    }

    /// `text`, in brackets for IPv6: ready to be followed by `:port`.
    public var bracketed: String { kind == .ipv6 ? "[\(text)]" : text }

    public var description: String { text }

    static func isIPv4(_ text: String) -> Bool {
        var address = in_addr()
        return inet_pton(AF_INET, text, &address) == 1
    }

    static func isIPv6(_ text: String) -> Bool {
        var address = in6_addr()
        return text.contains(":") && inet_pton(AF_INET6, text, &address) == 1
    }

    /// A ``DNSName`` already in canonical form apart from case: the token
    /// and `--hostname` spell the host exactly, so the trailing dot that
    /// ``DNSName`` would drop is refused here.
    static func isDNSName(_ text: String) -> Bool {
        !text.hasSuffix(".") && (try? DNSName(text)) != nil
    }
}
