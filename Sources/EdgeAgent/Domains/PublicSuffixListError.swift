/// Why the Public Suffix List could not be loaded. Without the list the edge
/// cannot tell `co.uk` from `example.co.uk`, so it refuses to start rather
/// than accept every claim.
enum PublicSuffixListError: Error, Equatable, Sendable {
    case unreadable(path: String, reason: String)
    case notUTF8(path: String)
    case malformedRule(line: Int, text: String)
    case noRules
}

extension PublicSuffixListError: CustomStringConvertible {
    var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "Cannot read the Public Suffix List at \(path) (\(reason.trimmingSuffix(".")))"
                + "; install Debian's 'publicsuffix' package: apt-get install publicsuffix"
        case .notUTF8(let path):
            "The Public Suffix List at \(path) is not UTF-8 text."
        case .malformedRule(let line, let text):
            "The Public Suffix List has a malformed rule on line \(line): '\(text.prefix(80))'."
        case .noRules:
            "The Public Suffix List contains no rules."
        }
    }
}

private extension String {
    /// Foundation's reasons end in a full stop; the message goes on after them.
    func trimmingSuffix(_ suffix: String) -> String {
        hasSuffix(suffix) ? String(dropLast(suffix.count)) : self
    }
}
