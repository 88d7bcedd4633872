import Wire

/// Why a hostname or base domain was refused. A name that is not a DNS name
/// at all carries Wire's reason (the home checks its config with the same
/// rule); the other cases are the edge's ownership policy. `message` is the
/// sentence shown by the API and CLIs and sent to homes.
enum DomainError: Error, Hashable, Sendable {
    /// Not a valid DNS name, forward hostname or base domain ([CTRL-6]).
    case invalidName(DNSNameError)
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
        case .invalidName(let reason):
            let phrase = reason.description
            return phrase.prefix(1).uppercased() + phrase.dropFirst() + "."
        case .publicSuffix(let name):
            return "'\(name)' is a public suffix; claim a domain registered under it instead, such as example.\(name)."
        case .abovePublicSuffix(let name):
            return "'\(name)' has public suffixes below it, so it cannot belong to one home; "
                + "claim a domain registered under one of them."
        case .overlaps(let name, let other):
            return name == other
                ? "'\(name)' is already held by another home."
                : "'\(name)' overlaps '\(other)', which another home holds."
        case .notUnderHomeDomains(let name):
            return "'\(name)' is not under any base domain of this home; claim its domain first "
                + "(homeagent domain add, e.g. with the registered domain of '\(name)')."
        }
    }
}
