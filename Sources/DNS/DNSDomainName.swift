/// A domain name as DNS carries it (RFC 1035 §3.1): a sequence of labels of
/// 1 to 63 bytes, at most 255 bytes on the wire with the length octets and
/// the root's zero. Labels are stored in lower case (ASCII only), because DNS
/// compares names without regard to case (RFC 4343): two names that differ
/// only in case are equal here, hash alike, and encode alike.
///
/// This is DNS's own notion of a name, wider than the hostnames Portico
/// routes (Wire's `DNSName`): `_portico.example.com` has an underscore, and a
/// name read from a response may hold any byte.
public struct DNSDomainName: Hashable, Sendable, CustomStringConvertible {
    /// The labels, lower-cased, without the root's empty label.
    public private(set) var labels: [[UInt8]]

    /// RFC 1035 §2.3.4.
    public static let maximumLabelLength = 63
    public static let maximumWireLength = 255

    /// The root name `.`.
    public static let root = DNSDomainName(validated: [])

    /// Builds a name from labels, refusing what DNS cannot carry.
    public init(labels: [[UInt8]]) throws(DNSNameError) {
        var wireLength = 1
        for label in labels {
            guard !label.isEmpty else { throw .emptyLabel }
            guard label.count <= Self.maximumLabelLength else { throw .labelTooLong(label.count) }
            wireLength += 1 + label.count
        }
        guard wireLength <= Self.maximumWireLength else { throw .tooLong(wireLength) }
        self.init(validated: labels)
    }

    /// Parses dotted text (`_portico.Example.COM`, one trailing dot allowed).
    /// No escapes: a label holding a dot cannot be written this way.
    public init(_ text: String) throws(DNSNameError) {
        var body = Substring(text)
        if body.hasSuffix(".") { body = body.dropLast() }
        if body.isEmpty { self = .root; return }
        try self.init(labels: body.split(separator: ".", omittingEmptySubsequences: false).map { Array($0.utf8) })
    }

    private init(validated labels: [[UInt8]]) {
        self.labels = labels.map { $0.map(Self.lowercased) }
    }

    /// `label.` in front of this name.
    public func prepending(_ label: String) throws(DNSNameError) -> DNSDomainName {
        try DNSDomainName(labels: [Array(label.utf8)] + labels)
    }

    /// Bytes on the wire, uncompressed.
    public var wireLength: Int { labels.reduce(1) { $0 + 1 + $1.count } }

    /// Dotted text without the trailing dot (`.` for the root). Bytes outside
    /// printable ASCII, and dots inside a label, are written `\DDD` (RFC 1035
    /// §5.1), so a name from a peer can be logged without ambiguity.
    public var description: String {
        guard !labels.isEmpty else { return "." }
        return labels.map { label in
            label.map { byte -> String in
                if byte == UInt8(ascii: ".") || byte == UInt8(ascii: "\\") || byte < 0x21 || byte > 0x7E {
                    let digits = String(byte)
                    return "\\" + String(repeating: "0", count: 3 - digits.count) + digits
                }
                return String(UnicodeScalar(byte))
            }.joined()
        }.joined(separator: ".")
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        (0x41...0x5A).contains(byte) ? byte + 0x20 : byte
    }
}

/// Why text or labels are not a name DNS can carry.
public enum DNSNameError: Error, Hashable, Sendable, CustomStringConvertible {
    case emptyLabel
    case labelTooLong(Int)
    case tooLong(Int)

    public var description: String {
        switch self {
        case .emptyLabel: "a DNS name has an empty label (two dots in a row, or a leading dot)"
        case .labelTooLong(let length): "a DNS label has \(length) bytes; at most 63 are allowed"
        case .tooLong(let length): "a DNS name takes \(length) bytes on the wire; at most 255 are allowed"
        }
    }
}
