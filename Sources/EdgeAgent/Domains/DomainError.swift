/// Why a hostname or base domain was refused. Each case names what the user
/// typed (already normalised where that was possible) so the message can say
/// exactly what to change; `message` is the text shown by the API and CLIs.
enum DomainError: Error, Hashable, Sendable {
    case empty
    case tooLong(length: Int)
    case tooFewLabels(String)
    case emptyLabel(String)
    case labelTooLong(String)
    case invalidCharacter(String)
    case hyphenAtLabelEdge(String)
    case notPunycode(String)
    case wildcardNotAllowed(String)
    case publicSuffix(String)
    case abovePublicSuffix(String)
    case overlaps(String, owner: String)
    case notUnderHomeDomains(String)
}

extension DomainError: CustomStringConvertible {
    var description: String { message }

    /// A sentence a home operator or admin can act on.
    var message: String {
        switch self {
        case .empty:
            "The name is empty."
        case .tooLong(let length):
            "The name is \(length) characters long; DNS names are at most \(DomainName.maximumLength)."
        case .tooFewLabels(let name):
            "'\(Self.clip(name))' needs at least two labels, such as example.com."
        case .emptyLabel(let name):
            "'\(Self.clip(name))' has an empty label (two dots in a row, or a leading dot)."
        case .labelTooLong(let label):
            "The label '\(Self.clip(label))' is longer than \(DomainName.maximumLabelLength) characters."
        case .invalidCharacter(let label):
            "The label '\(Self.clip(label))' may only contain a-z, 0-9 and '-'."
        case .hyphenAtLabelEdge(let label):
            "The label '\(label)' must not start or end with '-'."
        case .notPunycode(let name):
            "'\(Self.clip(name))' contains non-ASCII characters; give internationalised names in punycode (xn--…)."
        case .wildcardNotAllowed(let name):
            "'\(Self.clip(name))': a wildcard is only allowed as the whole first label ('*.example.com') "
                + "of a forward hostname, never in a base domain."
        case .publicSuffix(let name):
            "'\(name)' is a public suffix; claim a domain registered under it instead, such as example.\(name)."
        case .abovePublicSuffix(let name):
            "'\(name)' has public suffixes below it, so it cannot belong to one home; "
                + "claim a domain registered under one of them."
        case .overlaps(let name, let other):
            "'\(name)' overlaps '\(other)', which another home holds."
        case .notUnderHomeDomains(let name):
            "'\(name)' is not under any base domain of this home; claim its domain first."
        }
    }

    /// Echoing a 10,000-character input back would bury the message.
    private static func clip(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "…"
    }
}
