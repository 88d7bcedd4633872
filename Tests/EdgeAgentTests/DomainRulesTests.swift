import Testing
import Wire
@testable import EdgeAgent

@Suite struct DomainRulesTests {
    let rules = DomainRules(publicSuffixList: SharedSuffixList.list)

    // MARK: - Syntax (Wire's DNSName rule, wrapped; the rule's own table is NameRulesTests)

    @Test func baseDomainsAreCanonicalDNSNamesOfTwoLabels() throws {
        #expect(try rules.validateBaseDomain("Blog.Example.COM.") == "blog.example.com")
        #expect(throws: DomainError.invalidName(.emptyLabel("example.com."))) {
            try rules.validateBaseDomain("example.com..")
        }
        #expect(throws: DomainError.invalidName(.tooFewLabels("localhost"))) {
            try rules.validateBaseDomain("localhost")
        }
        #expect(throws: DomainError.invalidName(.invalidCharacter("ex_ample"))) {
            try rules.validateBaseDomain("ex_ample.com")
        }
        #expect(throws: DomainError.invalidName(.numericTopLevelLabel("1.2.3.4"))) {
            try rules.validateBaseDomain("1.2.3.4")
        }
    }

    @Test func tenThousandCharacterNameIsATypedErrorWithAShortMessage() {
        let huge = String(repeating: "a", count: 10_000) + ".example.com"
        #expect(throws: DomainError.invalidName(.tooLong(length: huge.count))) {
            try rules.validateBaseDomain(huge)
        }
        let message = DomainError.invalidName(.labelTooLong(String(repeating: "x", count: 10_000))).message
        #expect(message.count < 200)
        #expect(message.hasPrefix("The label \"xxx"))
        #expect(message.hasSuffix(" characters."))
    }

    @Test func internationalisedNamesMustBePunycode() throws {
        #expect(throws: DomainError.invalidName(.notASCII("bücher.de"))) {
            try rules.validateBaseDomain("bücher.de")
        }
        #expect(try rules.validateBaseDomain("xn--bcher-kva.de") == "xn--bcher-kva.de")
    }

    @Test func wildcardIsNeverABaseDomain() {
        #expect(throws: DomainError.invalidName(.wildcardNotAllowed("*.example.com"))) {
            try rules.validateBaseDomain("*.example.com")
        }
    }

    // MARK: - Base domains and the Public Suffix List

    @Test func publicSuffixesAreNotBaseDomains() {
        #expect(throws: DomainError.invalidName(.tooFewLabels("com"))) { try rules.validateBaseDomain("com") }
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
        #expect(try rules.validateForwardHostname(try ForwardHostname("example.com"), baseDomains: bases) == "example.com")
        #expect(try rules.validateForwardHostname(try ForwardHostname("Blog.Example.com"), baseDomains: bases) == "blog.example.com")
        #expect(try rules.validateForwardHostname(try ForwardHostname("*.example.com"), baseDomains: bases) == "*.example.com")
        #expect(try rules.validateForwardHostname(try ForwardHostname("*.a.example.co.uk"), baseDomains: bases) == "*.a.example.co.uk")
        #expect(throws: DomainError.notUnderHomeDomains("blog.other.com")) {
            try rules.validateForwardHostname(try ForwardHostname("blog.other.com"), baseDomains: bases)
        }
        #expect(throws: DomainError.notUnderHomeDomains("blog.notexample.com")) {
            try rules.validateForwardHostname(try ForwardHostname("blog.notexample.com"), baseDomains: bases)
        }
        #expect(throws: DomainError.notUnderHomeDomains("*.co.uk")) {
            try rules.validateForwardHostname(try ForwardHostname("*.co.uk"), baseDomains: bases)
        }
        #expect(throws: DomainError.notUnderHomeDomains("example.com")) {
            try rules.validateForwardHostname(try ForwardHostname("example.com"), baseDomains: [])
        }
    }
}
