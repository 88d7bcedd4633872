import Testing
@testable import EdgeAgent

@Suite struct DomainRulesTests {
    let rules = DomainRules(publicSuffixList: SharedSuffixList.list)

    // MARK: - Syntax

    @Test func normalisesCaseAndOneTrailingDot() throws {
        #expect(try DomainName.normalize("Blog.Example.COM.", allowWildcard: false) == "blog.example.com")
        #expect(throws: DomainError.emptyLabel("example.com.")) {
            try DomainName.normalize("example.com..", allowWildcard: false)
        }
    }

    @Test func rejectsMalformedNames() {
        #expect(throws: DomainError.empty) { try DomainName.normalize("", allowWildcard: false) }
        #expect(throws: DomainError.empty) { try DomainName.normalize(".", allowWildcard: false) }
        #expect(throws: DomainError.tooFewLabels("localhost")) {
            try DomainName.normalize("localhost", allowWildcard: false)
        }
        #expect(throws: DomainError.emptyLabel(".example.com")) {
            try DomainName.normalize(".example.com", allowWildcard: false)
        }
        #expect(throws: DomainError.invalidCharacter("ex_ample")) {
            try DomainName.normalize("ex_ample.com", allowWildcard: false)
        }
        #expect(throws: DomainError.invalidCharacter("a b")) {
            try DomainName.normalize("a b.com", allowWildcard: false)
        }
        #expect(throws: DomainError.hyphenAtLabelEdge("-example")) {
            try DomainName.normalize("-example.com", allowWildcard: false)
        }
        #expect(throws: DomainError.hyphenAtLabelEdge("example-")) {
            try DomainName.normalize("example-.com", allowWildcard: false)
        }
    }

    @Test func labelAndNameLengthLimits() throws {
        let label63 = String(repeating: "a", count: 63)
        #expect(try DomainName.normalize("\(label63).com", allowWildcard: false) == "\(label63).com")
        #expect(throws: DomainError.labelTooLong(label63 + "a")) {
            try DomainName.normalize("\(label63)a.com", allowWildcard: false)
        }
        // 4 × 63 + 3 dots = 255 > 253
        let long = [label63, label63, label63, label63].joined(separator: ".")
        #expect(throws: DomainError.tooLong(length: 255)) { try DomainName.normalize(long, allowWildcard: false) }
        let exactly253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(try DomainName.normalize(exactly253 + ".", allowWildcard: false) == exactly253)
    }

    @Test func tenThousandCharacterHostnameIsATypedError() {
        let huge = String(repeating: "a", count: 10_000) + ".example.com"
        #expect(throws: DomainError.tooLong(length: huge.count)) {
            try rules.validateForwardHostname(huge, baseDomains: ["example.com"])
        }
        let message = DomainError.labelTooLong(String(repeating: "x", count: 10_000)).message
        #expect(message.count < 200)
    }

    @Test func internationalisedNamesMustBePunycode() throws {
        #expect(throws: DomainError.notPunycode("bücher.de")) {
            try DomainName.normalize("bücher.de", allowWildcard: false)
        }
        #expect(try rules.validateBaseDomain("xn--bcher-kva.de") == "xn--bcher-kva.de")
    }

    @Test func wildcardOnlyAsWholeFirstLabelOfForwardHostnames() throws {
        #expect(try DomainName.normalize("*.Example.com", allowWildcard: true) == "*.example.com")
        #expect(throws: DomainError.wildcardNotAllowed("*.example.com")) {
            try rules.validateBaseDomain("*.example.com")
        }
        #expect(throws: DomainError.wildcardNotAllowed("a.*.example.com")) {
            try DomainName.normalize("a.*.example.com", allowWildcard: true)
        }
        #expect(throws: DomainError.wildcardNotAllowed("*.*.example.com")) {
            try DomainName.normalize("*.*.example.com", allowWildcard: true)
        }
        #expect(throws: DomainError.wildcardNotAllowed("a*.example.com")) {
            try DomainName.normalize("a*.example.com", allowWildcard: true)
        }
    }

    // MARK: - Base domains and the Public Suffix List

    @Test func publicSuffixesAreNotBaseDomains() {
        #expect(throws: DomainError.tooFewLabels("com")) { try rules.validateBaseDomain("com") }
        #expect(throws: DomainError.publicSuffix("co.uk")) { try rules.validateBaseDomain("co.uk") }
        #expect(throws: DomainError.publicSuffix("github.io")) { try rules.validateBaseDomain("github.io") }
        #expect(throws: DomainError.publicSuffix("xn--55qx5d.cn")) { try rules.validateBaseDomain("xn--55qx5d.cn") }
    }

    @Test func registrableDomainsAndTheirSubdomainsAreBaseDomains() throws {
        #expect(try rules.validateBaseDomain("example.co.uk") == "example.co.uk")
        #expect(try rules.validateBaseDomain("Example.COM.") == "example.com")
        #expect(try rules.validateBaseDomain("home.example.com") == "home.example.com")
        #expect(try rules.validateBaseDomain("alice.github.io") == "alice.github.io")
    }

    @Test func nameAboveAPublicSuffixIsRejected() throws {
        let list = try PublicSuffixList(text: "com\nservice.example.com\n")
        let rules = DomainRules(publicSuffixList: list)
        #expect(throws: DomainError.abovePublicSuffix("example.com")) { try rules.validateBaseDomain("example.com") }
        #expect(try rules.validateBaseDomain("mine.service.example.com") == "mine.service.example.com")
    }

    // MARK: - Overlap and ownership

    @Test func overlapInBothDirectionsAndExactDuplicate() {
        #expect(throws: DomainError.overlaps("a.example.com", owner: "example.com")) {
            try rules.checkNoOverlap("a.example.com", with: ["example.com"])
        }
        #expect(throws: DomainError.overlaps("example.com", owner: "a.example.com")) {
            try rules.checkNoOverlap("example.com", with: ["other.net", "a.example.com"])
        }
        #expect(throws: DomainError.overlaps("example.com", owner: "example.com")) {
            try rules.checkNoOverlap("example.com", with: ["example.com"])
        }
        // A shared suffix of characters is not a shared domain.
        #expect(throws: Never.self) { try rules.checkNoOverlap("myexample.com", with: ["example.com"]) }
    }

    @Test func forwardHostnamesMustBeUnderTheHomesDomains() throws {
        let bases = ["example.com", "example.co.uk"]
        #expect(try rules.validateForwardHostname("example.com", baseDomains: bases) == "example.com")
        #expect(try rules.validateForwardHostname("Blog.Example.com", baseDomains: bases) == "blog.example.com")
        #expect(try rules.validateForwardHostname("*.example.com", baseDomains: bases) == "*.example.com")
        #expect(try rules.validateForwardHostname("*.a.example.co.uk", baseDomains: bases) == "*.a.example.co.uk")
        #expect(throws: DomainError.notUnderHomeDomains("blog.other.com")) {
            try rules.validateForwardHostname("blog.other.com", baseDomains: bases)
        }
        #expect(throws: DomainError.notUnderHomeDomains("blog.notexample.com")) {
            try rules.validateForwardHostname("blog.notexample.com", baseDomains: bases)
        }
        #expect(throws: DomainError.notUnderHomeDomains("*.co.uk")) {
            try rules.validateForwardHostname("*.co.uk", baseDomains: bases)
        }
        #expect(throws: DomainError.notUnderHomeDomains("example.com")) {
            try rules.validateForwardHostname("example.com", baseDomains: [])
        }
    }
}
