/// A DNS host name as Portico routes on it: the SNI and Host names the edge
/// peeks, the hostnames of forwards, the base domains homes claim, and the
/// edge's own address. Both agents validate names only through this type,
/// so a name one side accepts the other accepts too ([CTRL-6]).
///
/// The rule: labels of letters, digits and hyphens (RFC 1123 §2.1), 1 to 63
/// bytes each, no hyphen at either end, at most 253 bytes in all (RFC 1035
/// §2.3.4), and a final label that is not all digits, so that a dotted IPv4
/// address is never taken for a name. One trailing dot (the absolute form of
/// the same name) is allowed and dropped. Only the ASCII form exists here:
/// internationalised names are given as their `xn--` A-labels, which are
/// ordinary labels, so IDNs pass without a second code path.
///
/// `text` is canonical (lower case, no trailing dot) because routing,
/// overlap and ownership compare names byte for byte.
public struct DNSName: Hashable, Sendable, CustomStringConvertible {
    /// The longest name, in presentation form without the trailing dot.
    public static let maximumLength = 253
    /// The longest single label.
    public static let maximumLabelLength = 63

    /// The canonical name: lower case, no trailing dot.
    public let text: String
    /// How many labels the name has (`blog.example.com`: 3).
    public let labelCount: Int

    /// Validates `text` and keeps its canonical form.
    public init(_ text: some StringProtocol) throws(DNSNameError) {
        try self.init(utf8: text.utf8)
    }

    /// Validates the bytes of a name as it came off the network (SNI, Host),
    /// without first building a `String` of bytes that may be garbage.
    public init(utf8 bytes: some Collection<UInt8>) throws(DNSNameError) {
        // Length first, before any work proportional to it; +1 for the one
        // trailing dot that is allowed.
        guard !bytes.isEmpty else { throw .empty }
        guard bytes.count <= Self.maximumLength + 1 else { throw .tooLong(length: bytes.count) }
        var name = Array(bytes)
        if name.last == UInt8(ascii: ".") { name.removeLast() }
        guard !name.isEmpty else { throw .empty }
        guard name.count <= Self.maximumLength else { throw .tooLong(length: name.count) }
        guard name.allSatisfy({ $0 < 0x80 }) else { throw .notASCII(Self.shown(name)) }
        for index in name.indices where (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(name[index]) {
            name[index] |= 0x20
        }
        let labels = name.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        for label in labels {
            try Self.check(label, in: name)
        }
        // RFC 1123 §2.1 / RFC 3696 §2: a top-level label is never all digits.
        if let last = labels.last, last.allSatisfy(Self.isDigit) { throw .numericTopLevelLabel(Self.shown(name)) }
        self.text = String(decoding: name, as: UTF8.self)
        self.labelCount = labels.count
    }

    public var description: String { text }

    /// Whether this name is `ancestor` or lies under it (`a.b.example.com`
    /// under `example.com`); a shared suffix of characters is not enough.
    public func isEqualOrUnder(_ ancestor: DNSName) -> Bool {
        text == ancestor.text || text.hasSuffix("." + ancestor.text)
    }

    private static func check(_ label: ArraySlice<UInt8>, in name: [UInt8]) throws(DNSNameError) {
        guard !label.isEmpty else { throw .emptyLabel(shown(name)) }
        guard label.count <= maximumLabelLength else { throw .labelTooLong(shown(label)) }
        if label.contains(UInt8(ascii: "*")) { throw .wildcardNotAllowed(shown(name)) }
        let allowed = label.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || isDigit(byte) || byte == UInt8(ascii: "-")
        }
        guard allowed else { throw .invalidCharacter(shown(label)) }
        guard label.first != UInt8(ascii: "-"), label.last != UInt8(ascii: "-") else {
            throw .hyphenAtLabelEdge(shown(label))
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Bytes as text for an error; `DNSNameError` clips and escapes it.
    private static func shown(_ bytes: some Collection<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
