import ArgumentParser
import DNS

extension DomainVerificationMode: ExpressibleByArgument {}

/// `serve`'s flags for domain ownership proof ([PROOF-1]).
struct DomainVerificationOptions: ParsableArguments {
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
    var domainVerification: DomainVerificationMode = .none

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
            "Seconds one DNS try may take (1-5); each nameserver is tried twice, a claim's lookup ends within 6 s.",
            valueName: "seconds"))
    var dnsTimeout: Int = 2

    func validate() throws {
        guard (1...5).contains(dnsTimeout) else {
            throw ValidationError("--dns-timeout must be 1-5 seconds, got \(dnsTimeout)")
        }
        // A nameserver nobody asks is a mistake worth saying, not ignoring.
        if !dnsServer.isEmpty, domainVerification == .none {
            throw ValidationError("--dns-server is only used with --domain-verification txt; add that, or drop --dns-server")
        }
    }

    var settings: DomainVerificationSettings {
        var settings = DomainVerificationSettings()
        settings.mode = domainVerification
        settings.dnsServers = dnsServer
        settings.dnsTimeout = .seconds(dnsTimeout)
        return settings
    }
}
