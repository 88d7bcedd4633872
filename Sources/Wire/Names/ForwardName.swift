/// The name of a forward ([CTRL-4]): 1 to 63 bytes of `a`–`z`, `0`–`9`, `-`
/// and `_`. It keys the edge's forward rows, travels in every OPEN (whose
/// own limit, 255 bytes of UTF-8, is wider, [OPEN-3]), and appears in status
/// output, logs and metrics labels.
///
/// Names are not lower-cased: `Web` is refused rather than silently becoming
/// a second spelling of `web`. The home checks its config with this type and
/// the edge checks FORWARDS_SYNC with it, so both refuse exactly the same
/// names.
public struct ForwardName: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 63

    public let text: String

    public init(_ text: String) throws(ForwardNameError) {
        let allowed = text.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
        guard (1...Self.maximumLength).contains(text.utf8.count), allowed else { throw ForwardNameError(name: text) }
        self.text = text
    }

    public var description: String { text }
}

/// A forward name outside [CTRL-4]'s rule; one message covers every way of
/// breaking it, since the rule fits in one line.
public struct ForwardNameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The refused name, as given.
    public var name: String

    public init(name: String) {
        self.name = name
    }

    public var description: String {
        "forward name \(DNSNameError.quoted(name)) must be 1-\(ForwardName.maximumLength) characters "
            + "of a-z, 0-9, \"-\" and \"_\""
    }
}
