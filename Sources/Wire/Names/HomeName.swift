/// The name of a home: one DNS label (RFC 1123 §2.1), 1 to 63 bytes of
/// `a`–`z`, `0`–`9` and `-`, neither starting nor ending with `-`. The edge
/// chooses it when the home is created, returns it at enrollment
/// (ENROLL_RESPONSE `home`) and writes it into the home's certificate
/// subject; it also appears in logs, metrics labels and API URLs.
///
/// Input is case-folded (`Alice` names the home `alice`), which is what makes
/// names unique regardless of case; `text` is the canonical form. The edge
/// checks every name it is given with this type, and the home checks the
/// name in its config with it.
public struct HomeName: Hashable, Sendable, CustomStringConvertible {
    public static let maximumLength = 63

    /// The canonical name, lower case.
    public let text: String

    public init(_ text: String) throws(HomeNameError) {
        let name = text.lowercased()
        let allowed = name.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                || byte == UInt8(ascii: "-")
        }
        guard (1...Self.maximumLength).contains(name.utf8.count), allowed,
              name.first != "-", name.last != "-"
        else { throw HomeNameError(name: text) }
        self.text = name
    }

    public var description: String { text }
}

/// A home name outside ``HomeName``'s rule; one message covers every way of
/// breaking it.
public struct HomeNameError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The refused name, as given.
    public var name: String

    public init(name: String) {
        self.name = name
    }

    /// A phrase that starts in lower case; the edge makes it a sentence.
    public var description: String {
        let rule = "1-\(HomeName.maximumLength) characters of a-z, 0-9 and \"-\", not starting or ending with \"-\""
        return name.isEmpty
            ? "the home name is empty; it must be \(rule)"
            : "the home name \(DNSNameError.quoted(name)) must be \(rule)"
    }
}
