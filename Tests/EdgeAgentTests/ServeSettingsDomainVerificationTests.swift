import DNS
import Foundation
import Testing
@testable import EdgeAgent

/// The DNS TXT proof options (`--domain-verification`, `--dns-server`,
/// `--dns-timeout`) resolve like every other serve option: flag >
/// environment > config file > default, with the same rules and the same
/// kind of message whichever source gave them.
@Suite struct ServeSettingsDomainVerificationTests {
    private func verification(
        _ arguments: [String], environment: [String: String] = [:], file: String? = nil
    ) throws -> DomainVerificationSettings {
        try ServeSettingsTests.settings(arguments, environment: environment, file: file).configuration.domainVerification
    }

    private func servers(_ settings: DomainVerificationSettings) -> [String] {
        settings.dnsServers.map { "\($0.host):\($0.port)" }
    }

    /// The message of the error `body` throws; a recorded issue when it does not throw.
    private func failure(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        Issue.record("accepted")
        return ""
    }

    @Test("the file sets all three; the environment wins over the file, a flag over both")
    func precedence() throws {
        let file = "domain_verification: txt\ndns_server: [192.0.2.1, \"192.0.2.2:5353\"]\ndns_timeout: 4\n"
        let fromFile = try verification([], file: file)
        #expect(fromFile.mode == .txt && fromFile.dnsTimeout == .seconds(4))
        #expect(servers(fromFile) == ["192.0.2.1:53", "192.0.2.2:5353"])
        let one = try verification([], file: "domain_verification: txt\ndns_server: 192.0.2.9\n")
        #expect(servers(one) == ["192.0.2.9:53"])

        let environment = ["PORTICO_DNS_SERVER": "198.51.100.1,198.51.100.2:54", "PORTICO_DNS_TIMEOUT": "1"]
        let fromEnvironment = try verification([], environment: environment, file: file)
        #expect(fromEnvironment.mode == .txt && fromEnvironment.dnsTimeout == .seconds(1))
        #expect(servers(fromEnvironment) == ["198.51.100.1:53", "198.51.100.2:54"])

        let fromFlags = try verification(
            ["--domain-verification", "txt", "--dns-server", "203.0.113.7", "--dns-timeout", "5"],
            environment: environment + ["PORTICO_DOMAIN_VERIFICATION": "none"], file: file)
        #expect(fromFlags.mode == .txt && fromFlags.dnsTimeout == .seconds(5) && servers(fromFlags) == ["203.0.113.7:53"])
        let flagOverEnvironment = try verification(
            ["--domain-verification", "none"], environment: ["PORTICO_DOMAIN_VERIFICATION": "txt"])
        #expect(flagOverEnvironment.mode == .none)

        let defaults = try verification([])
        #expect(defaults.mode == .none && defaults.dnsServers.isEmpty && defaults.dnsTimeout == .seconds(2))
    }

    @Test("bad values name their source: file and line, the variable, or the flag")
    func badValuesNameTheirSource() throws {
        #expect(failure { _ = try verification([], file: "base_port: 8443\ndomain_verification: dns\n") }
            .hasSuffix("edge.yaml line 2: domain_verification: \"dns\" is not one of none, txt"))
        #expect(failure { _ = try verification([], environment: ["PORTICO_DNS_TIMEOUT": "30"]) }
            == "PORTICO_DNS_TIMEOUT=30 in the environment: 30 is outside 1-5")
        #expect(failure { _ = try verification([], file: "dns_timeout: 0\n") }.hasSuffix("edge.yaml line 1: dns_timeout: 0 is outside 1-5"))
        let badServer = failure {
            _ = try verification([], environment: ["PORTICO_DOMAIN_VERIFICATION": "txt", "PORTICO_DNS_SERVER": "192.0.2.1,dns.example.com"])
        }
        #expect(badServer.hasPrefix("PORTICO_DNS_SERVER=192.0.2.1,dns.example.com in the environment: 'dns.example.com' is not a nameserver address"), "\(badServer)")
        let badFileServer = failure { _ = try verification([], file: "domain_verification: txt\ndns_server: [ns.example.com]\n") }
        #expect(badFileServer.contains("edge.yaml line 2: dns_server: 'ns.example.com' is not a nameserver address"), "\(badFileServer)")
    }

    @Test("nameservers without txt are refused whichever source gave either, naming the source and the fix")
    func nameserversNeedTxt() throws {
        #expect(failure { _ = try verification([], environment: ["PORTICO_DNS_SERVER": "192.0.2.1"]) }
            == "PORTICO_DNS_SERVER is only used with PORTICO_DOMAIN_VERIFICATION=txt; add that, or drop it")
        let fromFile = failure { _ = try verification([], file: "dns_server: 192.0.2.1\n") }
        #expect(fromFile.hasPrefix("dns_server in /") && fromFile.hasSuffix(
            "/edge.yaml is only used with domain_verification: txt; add that, or drop it"), "\(fromFile)")
        #expect(failure { _ = try verification(["--dns-server", "192.0.2.1"], file: "domain_verification: none\n") }
            == "--dns-server is only used with --domain-verification txt; add that, or drop it")
        // txt from one source and nameservers from another is fine.
        let mixed = try verification(["--dns-server", "192.0.2.1"], environment: ["PORTICO_DOMAIN_VERIFICATION": "txt"])
        #expect(mixed.mode == .txt && servers(mixed) == ["192.0.2.1:53"])
    }
}

private func + (lhs: [String: String], rhs: [String: String]) -> [String: String] {
    lhs.merging(rhs) { _, new in new }
}
