import Wire

/// The edge's rules for who may route which names.
///
/// A base domain is the unit of ownership: one home holds it and every name
/// under it. The rules keep that ownership unambiguous: no home holds a public
/// suffix (or anything above one), and no two homes hold overlapping domains,
/// so every public hostname has at most one owner. Forward hostnames then only
/// need to fall under their own home's domains.
///
/// What is a name at all is Wire's rule (``DNSName``, ``ForwardHostname``),
/// shared with the home; what follows from ownership is decided here.
///
/// These checks are pure; the registry runs them inside its write transaction
/// against the domains stored at that moment, which is what makes concurrent
/// claims safe. Names are stored and compared in their canonical text.
struct DomainRules: Sendable {
    let publicSuffixList: PublicSuffixList

    /// Normalises `raw` and checks it may be claimed as a base domain at all,
    /// regardless of who holds what: a name of two labels or more that is
    /// neither a public suffix nor above one.
    func validateBaseDomain(_ raw: String) throws(DomainError) -> String {
        let name = try Self.baseDomainName(raw).text
        guard !publicSuffixList.isPublicSuffix(name) else { throw .publicSuffix(name) }
        guard !publicSuffixList.hasPublicSuffixBelow(name) else { throw .abovePublicSuffix(name) }
        return name
    }

    /// `raw` as a base domain's name, before any suffix or ownership rule.
    static func baseDomainName(_ raw: String) throws(DomainError) -> DNSName {
        let name: DNSName
        do { name = try DNSName(raw) } catch { throw .invalidName(error) }
        guard name.labelCount >= 2 else { throw .invalidName(.tooFewLabels(name.text)) }
        return name
    }

    /// Checks that a normalised base `domain` overlaps none of `othersDomains`
    /// (the domains every *other* home holds), in either direction.
    func checkNoOverlap(_ domain: String, with othersDomains: [String]) throws(DomainError) {
        if let other = othersDomains.first(where: { Self.overlap(domain, $0) }) {
            throw .overlaps(domain, owner: other)
        }
    }

    /// Checks a forward hostname is one of `baseDomains` or under one, and
    /// returns its canonical text. A wildcard `*.example.com` is under
    /// `example.com`.
    func validateForwardHostname(_ hostname: ForwardHostname, baseDomains: [String]) throws(DomainError) -> String {
        // "*.example.com" ends in ".example.com", so a wildcard needs no special case.
        guard baseDomains.contains(where: { Self.isEqualOrUnder(hostname.text, $0) }) else {
            throw .notUnderHomeDomains(hostname.text)
        }
        return hostname.text
    }

    /// Whether canonical `name` is `ancestor` or lies under it (`a.b.example.com`
    /// under `example.com`, and so is `*.example.com`).
    static func isEqualOrUnder(_ name: String, _ ancestor: String) -> Bool {
        name == ancestor || name.hasSuffix("." + ancestor)
    }

    /// Whether two claimed domains would route some of the same names.
    static func overlap(_ a: String, _ b: String) -> Bool {
        isEqualOrUnder(a, b) || isEqualOrUnder(b, a)
    }
}
