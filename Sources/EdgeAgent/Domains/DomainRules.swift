/// The edge's rules for who may route which names.
///
/// A base domain is the unit of ownership: one home holds it and every name
/// under it. The rules keep that ownership unambiguous: no home holds a public
/// suffix (or anything above one), and no two homes hold overlapping domains,
/// so every public hostname has at most one owner. Forward hostnames then only
/// need to fall under their own home's domains.
///
/// These checks are pure; the registry runs them inside its write transaction
/// against the domains stored at that moment, which is what makes concurrent
/// claims safe.
struct DomainRules: Sendable {
    let publicSuffixList: PublicSuffixList

    /// Normalises `raw` and checks it may be claimed as a base domain at all,
    /// regardless of who holds what.
    func validateBaseDomain(_ raw: String) throws(DomainError) -> String {
        let name = try DomainName.normalize(raw, allowWildcard: false)
        guard !publicSuffixList.isPublicSuffix(name) else { throw .publicSuffix(name) }
        guard !publicSuffixList.hasPublicSuffixBelow(name) else { throw .abovePublicSuffix(name) }
        return name
    }

    /// Checks that a normalised base `domain` overlaps none of `othersDomains`
    /// (the domains every *other* home holds), in either direction.
    func checkNoOverlap(_ domain: String, with othersDomains: [String]) throws(DomainError) {
        if let other = othersDomains.first(where: { DomainName.overlap(domain, $0) }) {
            throw .overlaps(domain, owner: other)
        }
    }

    /// Normalises a forward hostname and checks it is one of `baseDomains` or
    /// under one. A wildcard `*.example.com` is under `example.com`.
    func validateForwardHostname(_ raw: String, baseDomains: [String]) throws(DomainError) -> String {
        let name = try DomainName.normalize(raw, allowWildcard: true)
        // "*.example.com" ends in ".example.com", so a wildcard needs no special case.
        guard baseDomains.contains(where: { DomainName.isEqualOrUnder(name, $0) }) else {
            throw .notUnderHomeDomains(name)
        }
        return name
    }
}
