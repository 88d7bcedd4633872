import TestSupport
import Foundation
import Testing
@testable import HomeAgent

/// Broken, truncated and hostile input: every case ends in a typed error with
/// a position where YAML gives one, and nothing traps, hangs or overflows.
@Suite struct ConfigMalformedTests {
    typealias F = ConfigFixture

    @Test func unclosedQuoteIsReportedWithItsPosition() {
        let yaml = F.header.replacingOccurrences(of: "home: alice", with: "home: \"alice")
        #expect(F.message(parsing: yaml)
            == "line 6, column 1: found unexpected end of stream (while scanning a quoted scalar at line 2, column 7)")
    }

    @Test func tabIndentationIsReportedWithAHint() {
        let yaml = F.header + "forwards:\n\t- name: web\n"
        let error = F.configError { _ = try HomeConfig(yaml: yaml) }
        guard case .syntax(let line, _, let problem) = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(line == 7)
        #expect(problem.hasSuffix("YAML indentation must use spaces, not tabs"))
    }

    @Test func duplicateKeyIsReportedByName() {
        #expect(F.message(parsing: F.header + "home: bob\n").hasSuffix(#"duplicate key "home""#))
    }

    @Test func unquotedWildcardHostnameGetsTheQuotingHint() {
        let yaml = F.withForward("name: any\ntype: https\nhostname: *.example.com\ntarget: 127.0.0.1:8443")
        #expect(F.message(parsing: yaml) == "line 9, column 15: YAML aliases (*name) are not supported in the config; "
            + #"quote a wildcard hostname: hostname: "*.example.com""#)
    }

    @Test func billionLaughsIsRefusedAtOnce() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            let refs = Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ")
            yaml += "a\(level): &a\(level) [\(refs)]\n"
        }
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(F.message(parsing: yaml).contains("aliases")) }
        #expect(elapsed < .seconds(1))
    }

    @Test(arguments: [
        String(repeating: "[", count: 200_000),
        "a: " + String(repeating: "{b: ", count: 100_000),
        String(repeating: "- ", count: 100_000) + "x",
        (0..<40).map { String(repeating: " ", count: $0) + "k\($0):" }.joined(separator: "\n") + " x",
    ])
    func deepNestingIsRefusedInsteadOfOverflowingTheStack(yaml: String) {
        #expect(F.message(parsing: yaml).contains("nesting is deeper than 32 levels"))
    }

    @Test func indicatorsInsideQuotesCommentsAndBlockScalarsAreNotMistakenForAliasesOrNesting() throws {
        let yaml = F.header.replacingOccurrences(of: "ca: edge-ca.pem", with: "ca: \"[[[*]]]\" # *not [an alias\n")
            .replacingOccurrences(of: "certificate: home.pem", with: "certificate: |\n  *cert [[[[[\n  {{{{ *")
            + "forwards: [{name: a, type: tcp, target: 'h:1'}]  # [*\n"
        let config = try HomeConfig(yaml: yaml)
        #expect(config.ca == "[[[*]]]")
        #expect(config.certificate == "*cert [[[[[\n{{{{ *\n")
        #expect(config.forwards.map(\.name) == ["a"])
    }

    @Test func configBuiltInCodeWithABadAddressIsRefusedOnSave() {
        var config = F.issueConfig
        config.forwards[2].target = HomeConfig.Address(host: "127.0.0.1", port: 0)
        #expect(F.configError { _ = try config.yaml() }?.description == #"forwards[2] "ssh": target port 0 is invalid"#)
        config = F.issueConfig
        config.edge = HomeConfig.Address(host: "", port: 8444)
        #expect(F.configError { _ = try config.yaml() }?.description == #"edge ":8444" needs a host, e.g. 127.0.0.1:8444"#)
    }

    @Test func complexKeysAreRefused() {
        #expect(F.message(parsing: F.header + "? [a, b]\n: c\n") == "line 6, column 3: keys must be plain names")
    }

    @Test func controlCharactersAreReportedWithAPosition() {
        let error = F.configError { _ = try HomeConfig(yaml: F.header + "x: \u{7}\n") }
        guard case .syntax(let line?, _, _) = error else {
            Issue.record("expected a positioned syntax error, got \(String(describing: error))")
            return
        }
        #expect(line == 6)
    }

    @Test func everyPrefixOfAValidConfigLoadsOrFailsWithATypedError() throws {
        let text = F.issueExample.replacingOccurrences(of: "home: alice", with: "home: alice # ünïcödé")
        let bytes = Array(text.utf8)
        var outcomes: [String: Int] = [:]
        try F.withTemporaryDirectory { dir in
            try F.writeFile(dir + "/home.key", "key")
            for length in 0...bytes.count {
                try F.writeFile(dir + "/home.yaml", Data(bytes[..<length]))
                do throws(HomeConfigError) {
                    _ = try HomeConfigFile.load(path: dir + "/home.yaml")
                    outcomes["ok", default: 0] += 1
                } catch {
                    #expect(!error.description.isEmpty)
                    outcomes[String(String(describing: error).prefix { $0 != "(" }), default: 0] += 1
                }
            }
        }
        #expect(outcomes["ok", default: 0] > 0)
        #expect(outcomes.values.reduce(0, +) == bytes.count + 1)
    }

    @Test func randomMutationsNeverTrap() {
        var generator = SeededRandom(seed: 0x5EED)
        let alphabet = Array("\n\t \"':-[]{},#&*!|>?%@`\\\u{0}\u{FEFF}aZ09é".unicodeScalars)
        for _ in 0..<3000 {
            var scalars = Array(F.issueExample.unicodeScalars)
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                let at = Int.random(in: 0..<scalars.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: scalars[at] = alphabet.randomElement(using: &generator)!
                case 1: scalars.insert(alphabet.randomElement(using: &generator)!, at: at)
                default: scalars.remove(at: at)
                }
            }
            var text = ""
            text.unicodeScalars.append(contentsOf: scalars)
            _ = F.message(parsing: text)
        }
    }
}
