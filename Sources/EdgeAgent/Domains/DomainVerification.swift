import DNS
import Foundation

/// Whether the edge asks for DNS proof before a home may claim a domain
/// (`edgeagent serve --domain-verification`).
///
/// `none` accepts any claim the suffix and overlap rules allow: on an edge
/// shared by homes that do not trust each other, any of them can claim a
/// domain nobody claimed yet and receive its traffic. `txt` requires the
/// record of [PROOF-1] first.
enum DomainVerificationMode: String, CaseIterable, Sendable {
    case none
    case txt
}

/// Checks DNS proof of domain ownership for claims made by homes ([PROOF-1]).
struct DomainVerifier: Sendable {
    let key: DomainProofKey
    let resolver: DNSResolver

    /// nil when `home` may claim `rawDomain` as far as proof goes, else why
    /// not. Claims that need no proof: a name the suffix or overlap rules
    /// refuse anyway (the registry then says why, which is the more useful
    /// answer), and a domain equal to or under one the home already holds
    /// (its owner proved the parent, or held it before proof was required).
    func refusal(claiming rawDomain: String, by home: String, registry: Registry) async -> DomainProofRefusal? {
        guard let domain = try? registry.rules.validateBaseDomain(rawDomain),
            let claims = try? await registry.allDomains()
        else { return nil }
        // [PROOF-1] The name and ownership rules answer first; what the home holds covers what is under it.
        if claims.contains(where: { $0.home == home && DomainRules.isEqualOrUnder(domain, $0.name) }) { return nil }
        if claims.contains(where: { $0.home != home && DomainRules.overlap(domain, $0.name) }) { return nil }
        return await check(domain: domain, home: home)
    }

    /// Looks the proof record up and compares what is there with the value
    /// for (`home`, `domain`); `domain` is canonical.
    func check(domain: String, home: String) async -> DomainProofRefusal? {
        let proof = key.proof(home: home, domain: domain)
        let name: DNSDomainName
        do { name = try DNSDomainName(proof.recordName) } catch {
            // A 253-byte domain plus "_portico." exceeds what DNS can carry.
            return DomainProofRefusal(proof: proof, problem: .unpublishable(error.description))
        }
        let values: [String]
        do {
            values = try await resolver.txt(name).map { String(decoding: $0, as: UTF8.self) }
        } catch {
            return DomainProofRefusal(proof: proof, problem: .lookupFailed(error.description))
        }
        // [PROOF-1] One record's strings joined must equal the value exactly; other records are ignored.
        if values.contains(proof.value) { return nil }
        let ours = values.filter { $0.hasPrefix(DomainProof.valuePrefix) }
        return DomainProofRefusal(proof: proof, problem: ours.isEmpty ? .missing : .wrongValue(ours))
    }
}

/// Why a claim's proof did not hold, with the record the home must publish.
struct DomainProofRefusal: Error, Hashable, Sendable {
    enum Problem: Hashable, Sendable {
        /// No TXT value starting `portico-verify=` at the record's name.
        case missing
        /// Values starting `portico-verify=` that are not this home's for this domain.
        case wrongValue([String])
        /// The nameservers gave no answer (timeouts, SERVFAIL): try again later.
        case lookupFailed(String)
        /// The record's name is too long for DNS.
        case unpublishable(String)
    }

    var proof: DomainProof
    var problem: Problem

    /// The code homes switch on ([PROOF-2]).
    var code: String {
        if case .lookupFailed = problem { return "verification_unavailable" }
        return "verification_required"
    }

    /// The sentence for people: what to publish, then what the edge found.
    var message: String {
        let instruction = "to prove this home owns \(proof.domain), publish TXT \(proof.recordName) \"\(proof.value)\" then run this again"
        switch problem {
        case .missing:
            return instruction + " (the edge found no such record; DNS changes can take a few minutes to appear)."
        case .wrongValue(let found):
            let shown = found.prefix(3).map { "\"\(Self.printable($0.prefix(80)))\"" }.joined(separator: ", ")
            return instruction + " (the edge found \(shown) there: a value for another home or another edge)."
        case .lookupFailed(let reason):
            return instruction + ". The edge could not check it now: \(reason); try again later."
        case .unpublishable(let reason):
            return "\(proof.domain) cannot be verified: \(reason); the edge's operator can claim it for this home "
                + "with --skip-verification."
        }
    }

    /// Text from DNS (anyone's zone) shown to people: printable ASCII only.
    private static func printable(_ text: Substring) -> String {
        String(text.unicodeScalars.map { (0x20...0x7E).contains($0.value) && $0 != "\"" ? Character($0) : "?" })
    }
}
