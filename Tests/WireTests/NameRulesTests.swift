import Testing
import Wire

/// The name rules both agents share ([CTRL-4], [CTRL-6]), one accept/reject
/// table per type. What each table accepts is exactly what the edge routes
/// and what the home's config may hold.
@Suite struct NameRulesTests {
    static let label63 = String(repeating: "a", count: 63)
    /// Four labels, 63 + 63 + 63 + 61 bytes and three dots: 253 bytes.
    static let name253 = [label63, label63, label63, String(repeating: "b", count: 61)].joined(separator: ".")

    // MARK: DNSName

    static let acceptedDNSNames: [(String, String)] = [
        ("example.com", "example.com"),
        ("Blog.Example.COM", "blog.example.com"),
        ("example.com.", "example.com"),
        ("localhost", "localhost"),
        ("xn--bcher-kva.de", "xn--bcher-kva.de"),
        ("a-b.c-d.example.co.uk", "a-b.c-d.example.co.uk"),
        ("1.2.3.example", "1.2.3.example"),
        ("\(label63).com", "\(label63).com"),
        (name253, name253),
        (name253 + ".", name253),
    ]

    @Test(arguments: acceptedDNSNames)
    func dnsNameIsAcceptedInCanonicalForm(input: String, canonical: String) throws {
        #expect(try DNSName(input).text == canonical)
    }

    static let refusedDNSNames: [(String, DNSNameError)] = [
        ("", .empty),
        (".", .empty),
        ("example.com..", .emptyLabel("example.com.")),
        (".example.com", .emptyLabel(".example.com")),
        ("a..b.com", .emptyLabel("a..b.com")),
        ("my_app.example.com", .invalidCharacter("my_app")),
        ("a b.com", .invalidCharacter("a b")),
        ("a\nb.com", .invalidCharacter("a\nb")),
        ("-example.com", .hyphenAtLabelEdge("-example")),
        ("Example-.com", .hyphenAtLabelEdge("example-")),
        ("bücher.de", .notASCII("bücher.de")),
        ("*.example.com", .wildcardNotAllowed("*.example.com")),
        ("1.2.3.4", .numericTopLevelLabel("1.2.3.4")),
        ("example.123", .numericTopLevelLabel("example.123")),
        ("\(label63)a.com", .labelTooLong(label63 + "a")),
        (name253 + "b", .tooLong(length: 254)),
        (name253 + "..", .tooLong(length: 255)),
    ]

    @Test(arguments: refusedDNSNames)
    func dnsNameIsRefusedWithItsReason(input: String, expected: DNSNameError) {
        #expect(throws: expected) { try DNSName(input) }
    }

    @Test func dnsNameFromBytesAgreesWithText() throws {
        #expect(try DNSName(utf8: Array("WWW.Example.com".utf8)).text == "www.example.com")
        #expect(throws: DNSNameError.notASCII("caf\u{FFFD}.example")) {
            try DNSName(utf8: Array("caf".utf8) + [0xE9] + Array(".example".utf8))
        }
    }

    @Test func nameUnderAnotherOnlyAtALabelBoundary() throws {
        let base = try DNSName("example.com")
        #expect(try DNSName("a.b.example.com").isEqualOrUnder(base))
        #expect(try DNSName("Example.com.").isEqualOrUnder(base))
        #expect(try !DNSName("myexample.com").isEqualOrUnder(base))
    }

    @Test func errorMessagesAreShortAndEscapePeerInput() {
        let long = DNSNameError.labelTooLong(String(repeating: "x", count: 10_000)).description
        #expect(long.count < 120)
        #expect(DNSNameError.invalidCharacter("a\nb").description == #"the label "a\nb" may only contain a-z, 0-9 and "-""#)
    }

    // MARK: ForwardHostname

    static let acceptedHostnames: [(String, String, Bool)] = [
        ("blog.example.com", "blog.example.com", false),
        ("Blog.Example.COM.", "blog.example.com", false),
        ("example.com", "example.com", false),
        ("*.example.com", "*.example.com", true),
        ("*.Example.com.", "*.example.com", true),
        ("shop.xn--bcher-kva.de", "shop.xn--bcher-kva.de", false),
    ]

    @Test(arguments: acceptedHostnames)
    func forwardHostnameIsAcceptedInCanonicalForm(input: String, canonical: String, wildcard: Bool) throws {
        let hostname = try ForwardHostname(input)
        #expect(hostname.text == canonical)
        #expect(hostname.isWildcard == wildcard)
    }

    static let refusedHostnames: [(String, DNSNameError)] = [
        ("localhost", .tooFewLabels("localhost")),
        ("*.com", .tooFewLabels("*.com")),
        ("a.*.example.com", .wildcardNotAllowed("a.*.example.com")),
        ("*.*.Example.com", .wildcardNotAllowed("*.*.example.com")),
        ("w*.example.com", .wildcardNotAllowed("w*.example.com")),
        ("*", .wildcardNotAllowed("*")),
        ("my_blog.example.com", .invalidCharacter("my_blog")),
        ("blög.example.com", .notASCII("blög.example.com")),
        ("1.2.3.4", .numericTopLevelLabel("1.2.3.4")),
        // 2 + 252: the wildcard counts towards the 253 bytes.
        ("*." + String(name253.dropFirst()), .tooLong(length: 254)),
    ]

    @Test(arguments: refusedHostnames)
    func forwardHostnameIsRefusedWithItsReason(input: String, expected: DNSNameError) {
        #expect(throws: expected) { try ForwardHostname(input) }
    }

    // MARK: ForwardName

    static let acceptedForwardNames = ["web", "my_app", "_", "-", "web-2", "0", label63]

    @Test(arguments: acceptedForwardNames)
    func forwardNameIsAccepted(name: String) throws {
        #expect(try ForwardName(name).text == name)
    }

    static let refusedForwardNames = ["", "Web", "web.app", "a b", "wéb", "web\n", label63 + "a"]

    @Test(arguments: refusedForwardNames)
    func forwardNameIsRefused(name: String) {
        #expect(throws: ForwardNameError(name: name)) { try ForwardName(name) }
    }

    @Test func forwardNameMessageStatesTheRule() {
        #expect(ForwardNameError(name: "Web").description
            == #"forward name "Web" must be 1-63 characters of a-z, 0-9, "-" and "_""#)
    }

    // MARK: HomeName

    static let acceptedHomeNames: [(String, String)] = [
        ("alice", "alice"), ("Alice", "alice"), ("home-2", "home-2"), ("123", "123"), (label63, label63),
    ]

    @Test(arguments: acceptedHomeNames)
    func homeNameIsAcceptedInCanonicalForm(input: String, canonical: String) throws {
        #expect(try HomeName(input).text == canonical)
    }

    static let refusedHomeNames = ["", "-alice", "alice-", "my_home", "alice.home", "al ice", "älice", label63 + "a"]

    @Test(arguments: refusedHomeNames)
    func homeNameIsRefused(name: String) {
        #expect(throws: HomeNameError(name: name)) { try HomeName(name) }
    }

    // MARK: ForwardType

    @Test func forwardTypesAreTheWiresSpellingsAndOnlyTCPHasNoHostname() {
        #expect(ForwardType.allCases.map(\.rawValue) == ["https", "http", "tcp"])
        #expect(ForwardType.allCases.filter(\.needsHostname) == [.https, .http])
        #expect(ForwardType(rawValue: "HTTPS") == nil)
    }
}
