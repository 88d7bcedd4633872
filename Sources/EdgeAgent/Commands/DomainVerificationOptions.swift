import ArgumentParser
import DNS

extension DomainVerificationMode: ExpressibleByArgument {}

/// `serve`'s flags for domain ownership proof ([PROOF-1]). Each may come
/// from the environment or the config file as well (`domain_verification`,
/// `dns_server`, `dns_timeout`): a flag not given is nil here, so that
/// ``settings(sources:)`` can fall back to those.
struct DomainVerificationOptions: ParsableArguments {
    static let defaultDNSTimeout = 2
    static let dnsTimeoutRange = 1...5

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Whether a home must publish a DNS TXT record before it may claim a domain: none or txt.",
            discussion: """
                txt: `homeagent domain add example.com` is refused until _portico.example.com has \
                the TXT value the refusal names (stable per home and domain); subdomains of a \
                domain the home holds need no new record. none (the default, for compatibility): \
                any home can claim any domain no other home holds, and receive its traffic; use \
                it only on an edge whose homes trust each other.
                """,
            valueName: "mode"))
    var domainVerification: DomainVerificationMode?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Nameserver to ask for proof records (repeatable; default: those in /etc/resolv.conf).",
            valueName: "host:port"),
        transform: { text in
            do { return try DNSServerAddress(parsing: text) } catch { throw ValidationError("--dns-server: \(error)") }
        })
    var dnsServer: [DNSServerAddress] = []

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds one DNS try may take (1-5, default 2); each nameserver is tried twice, a claim's lookup ends within 6 s.",
            valueName: "seconds"))
    var dnsTimeout: Int?

    /// Checks of the flags alone; ArgumentParser shows the usage with them.
    func validate() throws {
        if let dnsTimeout, !Self.dnsTimeoutRange.contains(dnsTimeout) {
            throw ValidationError("--dns-timeout must be 1-5 seconds, got \(dnsTimeout)")
        }
    }

    /// The flags, else the environment, else the file, else the defaults,
    /// each checked by the flag's rule; then the rule across them.
    func settings(sources: EdgeSettingSources) throws -> DomainVerificationSettings {
        var settings = DomainVerificationSettings()
        settings.mode = try domainVerification
            ?? sources.value(.domainVerification) { try SettingProblem.oneOf($0, DomainVerificationMode.self) } ?? .none
        var serversFrom = "--dns-server"
        if !dnsServer.isEmpty {
            settings.dnsServers = dnsServer
        } else if let listed = try sources.list(.dnsServer, { try DNSServerAddress(parsing: $0) }) {
            settings.dnsServers = listed.items
            serversFrom = listed.source
        }
        let seconds = try dnsTimeout
            ?? sources.value(.dnsTimeout) { try SettingProblem.integer($0, in: Self.dnsTimeoutRange) } ?? Self.defaultDNSTimeout
        settings.dnsTimeout = .seconds(seconds)
        // A nameserver nobody asks is a mistake worth saying, not ignoring.
        if !settings.dnsServers.isEmpty, settings.mode == .none {
            let needs = switch serversFrom {
            case "--dns-server": "--domain-verification txt"
            case EdgeSetting.dnsServer.environmentVariable: "\(EdgeSetting.domainVerification.environmentVariable)=txt"
            default: "\(EdgeSetting.domainVerification.key): txt"
            }
            throw EdgeConfigError.unusedSetting(given: serversFrom, needs: needs)
        }
        return settings
    }
}
