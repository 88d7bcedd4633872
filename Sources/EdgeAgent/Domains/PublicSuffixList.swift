import Foundation

/// The Public Suffix List (https://publicsuffix.org/list/), as shipped by
/// Debian's `publicsuffix` package, used to stop a home from claiming a name
/// that many unrelated owners register under (`com`, `co.uk`, `github.io`).
///
/// Rules from the ICANN and PRIVATE sections are treated alike: a PRIVATE
/// suffix such as `github.io` is shared between strangers just as `co.uk` is.
/// Internationalised rules are stored in their punycode form, the only form
/// Portico accepts in names.
///
/// Lookup follows the list's algorithm: exception rules win, otherwise the
/// matching rule with the most labels, otherwise the implicit rule `*`.
struct PublicSuffixList: Sendable {
    /// Where Debian's `publicsuffix` package installs the list.
    static let debianPath = "/usr/share/publicsuffix/public_suffix_list.dat"

    /// Plain rules, such as `co.uk`.
    private var rules: Set<String> = []
    /// Wildcard rules by their parent: `*.ck` is stored as `ck`.
    private var wildcardParents: Set<String> = []
    /// Exception rules without the `!`: `!www.ck` is stored as `www.ck`.
    private var exceptions: Set<String> = []
    /// Every name with some rule strictly below it (`amazonaws.com` for
    /// `s3.amazonaws.com`), so a claim there would cover others' suffixes.
    private var ancestorsOfRules: Set<String> = []

    /// How many rules were loaded, for logs.
    private(set) var ruleCount = 0

    /// Loads the list from `path` (Debian's location by default).
    init(contentsOfFile path: String = PublicSuffixList.debianPath) throws(PublicSuffixListError) {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        guard let text = String(data: data, encoding: .utf8) else { throw .notUTF8(path: path) }
        try self.init(text: text)
    }

    /// Parses list text in the publicsuffix.org format: one rule per line,
    /// read up to the first whitespace; `//` starts a comment line.
    init(text: String) throws(PublicSuffixListError) {
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            guard let token = rawLine.split(whereSeparator: \.isWhitespace).first,
                !token.hasPrefix("//")
            else { continue }
            try add(rule: token, line: lineNumber)
        }
        guard ruleCount > 0 else { throw .noRules }
    }

    /// Whether `domain` (canonical, as ``DNSName`` spells it) is itself
    /// a public suffix, such as `com`, `co.uk` or `github.io`.
    func isPublicSuffix(_ domain: String) -> Bool {
        publicSuffix(of: domain) == domain
    }

    /// Whether some public suffix lies strictly below `domain`.
    func hasPublicSuffixBelow(_ domain: String) -> Bool {
        ancestorsOfRules.contains(domain)
    }

    /// The public suffix `domain` ends in: `co.uk` for `www.example.co.uk`.
    func publicSuffix(of domain: String) -> String {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let candidates = (0..<labels.count).map { labels[$0...].joined(separator: ".") }

        // An exception rule makes its own name registrable: the suffix is the
        // rule minus its first label.
        for (index, candidate) in candidates.enumerated() where exceptions.contains(candidate) {
            return index + 1 < candidates.count ? candidates[index + 1] : candidate
        }
        // Longest first, so the first match is the prevailing rule.
        for (index, candidate) in candidates.enumerated() {
            if rules.contains(candidate) { return candidate }
            if index + 1 < candidates.count, wildcardParents.contains(candidates[index + 1]) {
                return candidate
            }
        }
        return candidates.last ?? domain
    }

    /// The public suffix plus one label (`example.co.uk` for
    /// `www.example.co.uk`); nil when `domain` is itself a public suffix.
    func registrableDomain(of domain: String) -> String? {
        let suffix = publicSuffix(of: domain)
        guard domain != suffix, domain.hasSuffix("." + suffix) else { return nil }
        let head = domain.dropLast(suffix.utf8.count + 1)
        let lastLabel = head.split(separator: ".").last ?? head
        return lastLabel + "." + suffix
    }

    private mutating func add(rule token: Substring, line: Int) throws(PublicSuffixListError) {
        var body = token
        let isException = body.first == "!"
        if isException { body = body.dropFirst() }
        let isWildcard = body.hasPrefix("*.")
        if isWildcard { body = body.dropFirst(2) }

        var labels: [String] = []
        for label in body.lowercased().split(separator: ".", omittingEmptySubsequences: false) {
            guard !label.isEmpty, !label.contains("*"), !label.contains("!"),
                let ascii = Punycode.asciiLabel(String(label))
            else { throw .malformedRule(line: line, text: String(token)) }
            labels.append(ascii)
        }
        // "!*.x" and a bare "*" (already the implicit default) are not rules.
        guard !labels.isEmpty, !(isException && isWildcard) else {
            throw .malformedRule(line: line, text: String(token))
        }
        let name = labels.joined(separator: ".")
        if isException {
            exceptions.insert(name)
        } else if isWildcard {
            wildcardParents.insert(name)
            // The wildcard's parent is above the suffixes the wildcard makes.
            ancestorsOfRules.insert(name)
        } else {
            rules.insert(name)
        }
        if !isException {
            for start in 1..<max(labels.count, 1) {
                ancestorsOfRules.insert(labels[start...].joined(separator: "."))
            }
        }
        ruleCount += 1
    }
}
