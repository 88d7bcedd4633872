/// Why text is not a ``DNSName`` (or a ``ForwardHostname``). Each case names
/// the part at fault, as the user typed it but lower-cased, so the message
/// can say what to change. The edge sends these messages to homes and API
/// clients; the home shows them at config load, before it ever connects.
public enum DNSNameError: Error, Hashable, Sendable, CustomStringConvertible {
    case empty
    /// More than 253 bytes (without a trailing dot).
    case tooLong(length: Int)
    /// A forward hostname or base domain of one label (`localhost`, `*.com`).
    case tooFewLabels(String)
    /// Two dots in a row, a leading dot, or more than one trailing dot.
    case emptyLabel(String)
    case labelTooLong(String)
    /// A byte other than a letter, digit or hyphen in this label.
    case invalidCharacter(String)
    case hyphenAtLabelEdge(String)
    /// Unicode where only the `xn--` form is accepted.
    case notASCII(String)
    /// `*` anywhere but as the whole first label of a forward hostname.
    case wildcardNotAllowed(String)
    /// The last label is all digits: an IPv4 address, not a name.
    case numericTopLevelLabel(String)

    /// A phrase for people, to follow a field name (`hostname: …`); the edge
    /// makes it a sentence.
    public var description: String {
        switch self {
        case .empty:
            "the name is empty"
        case .tooLong(let length):
            "the name is \(length) characters long; DNS names are at most \(DNSName.maximumLength)"
        case .tooFewLabels(let name):
            "\(Self.quoted(name)) needs at least two labels, such as example.com"
        case .emptyLabel(let name):
            "\(Self.quoted(name)) has an empty label (two dots in a row, or a leading dot)"
        case .labelTooLong(let label):
            "the label \(Self.quoted(label)) is longer than \(DNSName.maximumLabelLength) characters"
        case .invalidCharacter(let label):
            "the label \(Self.quoted(label)) may only contain a-z, 0-9 and \"-\""
        case .hyphenAtLabelEdge(let label):
            "the label \(Self.quoted(label)) must not start or end with \"-\""
        case .notASCII(let name):
            "\(Self.quoted(name)) contains non-ASCII characters; write internationalised names in punycode (xn--…)"
        case .wildcardNotAllowed(let name):
            "\(Self.quoted(name)): a wildcard is only allowed as the whole first label (\"*.example.com\") "
                + "of a forward hostname"
        case .numericTopLevelLabel(let name):
            "\(Self.quoted(name)) ends in an all-digit label; an IP address is not a host name"
        }
    }

    /// `text` in double quotes with escapes, cut to a readable length: these
    /// names often come from a peer, and echoing 10,000 characters or a line
    /// break back would bury or forge the message.
    static func quoted(_ text: String) -> String {
        let shown = text.count <= 64 ? text : String(text.prefix(63)) + "…"
        return shown.debugDescription
    }
}
