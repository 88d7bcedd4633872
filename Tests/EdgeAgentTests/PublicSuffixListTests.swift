import Foundation
import Testing
@testable import EdgeAgent

/// The list as Debian ships it, loaded once for every suite that needs it.
enum SharedSuffixList {
    // The file comes with the `publicsuffix` package the project depends on;
    // if it is missing every registry test fails here, loudly, with the path.
    static let list: PublicSuffixList = {
        do { return try PublicSuffixList() } catch { fatalError("\(error)") }
    }()
}

@Suite struct PublicSuffixListTests {
    let list = SharedSuffixList.list

    @Test func icannSuffixesAreSuffixes() {
        #expect(list.isPublicSuffix("com"))
        #expect(list.isPublicSuffix("co.uk"))
        #expect(list.isPublicSuffix("uk"))
        #expect(!list.isPublicSuffix("example.com"))
        #expect(!list.isPublicSuffix("example.co.uk"))
    }

    @Test func privateSectionSuffixesAreSuffixes() {
        #expect(list.isPublicSuffix("github.io"))
        #expect(list.registrableDomain(of: "alice.github.io") == "alice.github.io")
        #expect(list.registrableDomain(of: "www.alice.github.io") == "alice.github.io")
    }

    @Test func registrableDomainIsSuffixPlusOneLabel() {
        #expect(list.registrableDomain(of: "www.example.co.uk") == "example.co.uk")
        #expect(list.registrableDomain(of: "example.com") == "example.com")
        #expect(list.registrableDomain(of: "a.b.c.example.com") == "example.com")
        #expect(list.registrableDomain(of: "co.uk") == nil)
        #expect(list.registrableDomain(of: "com") == nil)
    }

    @Test func unknownTopLevelDomainFallsBackToTheImplicitStarRule() {
        #expect(list.isPublicSuffix("nosuchtld"))
        #expect(list.registrableDomain(of: "example.nosuchtld") == "example.nosuchtld")
    }

    @Test func wildcardAndExceptionRulesFromTheRealFile() {
        // *.ck and !www.ck
        #expect(list.isPublicSuffix("anything.ck"))
        #expect(list.registrableDomain(of: "shop.anything.ck") == "shop.anything.ck")
        #expect(!list.isPublicSuffix("www.ck"))
        #expect(list.registrableDomain(of: "www.ck") == "www.ck")
        #expect(list.registrableDomain(of: "a.www.ck") == "www.ck")
    }

    @Test func internationalisedRulesMatchTheirPunycodeForm() {
        // 公司.cn is a rule; hostnames arrive as xn--55qx5d.cn.
        #expect(list.isPublicSuffix("xn--55qx5d.cn"))
        #expect(list.registrableDomain(of: "example.xn--55qx5d.cn") == "example.xn--55qx5d.cn")
    }

    @Test func ruleBelowANameMakesItAnAncestor() {
        #expect(list.hasPublicSuffixBelow("com"))
        #expect(list.hasPublicSuffixBelow("ck"))
        #expect(!list.hasPublicSuffixBelow("example.com"))
    }

    @Test func parsesRulesTextWithSectionsWildcardsAndExceptions() throws {
        let text = """
            // ===BEGIN ICANN DOMAINS===
            test
            *.wild.test
            !www.wild.test   trailing text after whitespace is ignored
            \tuk
            co.uk
            // ===END ICANN DOMAINS===
            // ===BEGIN PRIVATE DOMAINS===
            hosting.example
            // ===END PRIVATE DOMAINS===
            """
        let list = try PublicSuffixList(text: text)
        #expect(list.ruleCount == 6)
        #expect(list.isPublicSuffix("x.wild.test"))
        #expect(!list.isPublicSuffix("wild.test"))
        #expect(list.hasPublicSuffixBelow("wild.test"))
        #expect(list.registrableDomain(of: "www.wild.test") == "www.wild.test")
        #expect(list.isPublicSuffix("hosting.example"))
        #expect(list.isPublicSuffix("co.uk"))
    }

    @Test func missingFileIsATypedError() {
        #expect {
            try PublicSuffixList(contentsOfFile: "/nonexistent/portico/psl.dat")
        } throws: { error in
            guard case PublicSuffixListError.unreadable(let path, _) = error else { return false }
            return path == "/nonexistent/portico/psl.dat"
        }
    }

    @Test func listWithoutRulesIsRejected() {
        #expect(throws: PublicSuffixListError.noRules) { try PublicSuffixList(text: "// only comments\n\n") }
    }

    @Test func malformedRulesAreRejectedWithTheirLine() {
        #expect(throws: PublicSuffixListError.malformedRule(line: 2, text: "a..b")) {
            try PublicSuffixList(text: "com\na..b\n")
        }
        #expect(throws: PublicSuffixListError.malformedRule(line: 1, text: "!*.x")) {
            try PublicSuffixList(text: "!*.x\n")
        }
        #expect(throws: PublicSuffixListError.malformedRule(line: 1, text: "a.*.b")) {
            try PublicSuffixList(text: "a.*.b\n")
        }
    }

    @Test func binaryFileIsATypedError() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("psl-\(UUID().uuidString).dat")
        try Data([0xFF, 0xFE, 0x00, 0xC3, 0x28]).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: PublicSuffixListError.notUTF8(path: url.path)) {
            try PublicSuffixList(contentsOfFile: url.path)
        }
    }

    @Test(arguments: [
        ("公司", "xn--55qx5d"), ("网络", "xn--io0a7i"), ("bücher", "xn--bcher-kva"),
        ("aéroport", "xn--aroport-bya"), ("ascii", "ascii"),
    ])
    func punycodeMatchesRFC3492(unicode: String, ascii: String) {
        #expect(Punycode.asciiLabel(unicode) == ascii)
    }
}
