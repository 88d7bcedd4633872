import ArgumentParser

extension DomainCommand {
    /// `edgeagent domain add DOMAIN --home NAME`: the operator claims a base
    /// domain for a home (`POST /api/homes/{name}/domains`).
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim a base domain for a home, as the operator.",
            discussion: """
                The same rules as `homeagent domain add`: no public suffixes, no overlap with \
                another home's domains. On an edge run with --domain-verification txt the DNS \
                record the refusal names is needed too, unless --skip-verification says the \
                operator vouches for the home's claim.
                """)

        @OptionGroup var options: AdminOptions

        @Argument(help: "The domain, e.g. example.com.")
        var domain: String

        @Option(name: .long, help: "The home that gets the domain.")
        var home: String

        @Flag(name: .long, help: "Accept the claim without the DNS TXT record the edge would ask for.")
        var skipVerification = false

        func run() async throws {
            var body: [String: Any] = ["domain": domain]
            if skipVerification { body["skip_verification"] = true }
            let claim = try await AdminClient(options: options).call("POST", "/api/homes/\(home)/domains", body: body)
            let fields = claim as? [String: Any]
            print("\(fields?["home"] as? String ?? home) holds \(fields?["name"] as? String ?? domain)")
        }
    }
}
