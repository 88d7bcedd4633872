import AgentRuntime
import ArgumentParser
import Wire

/// `homeagent domain add|remove NAME` and `domain list`: claims, releases
/// or lists the home's base domains at the edge over this home's session.
/// Hostnames of forwards must fall under one of the home's domains, so this
/// comes before `expose`.
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Claim, release or list the base domains of this home's forwards.",
        subcommands: [Add.self, Remove.self, List.self]
    )

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Claim a base domain (e.g. example.com) for this home.",
            discussion: """
                The edge refuses public suffixes (com, co.uk, …) and domains that overlap \
                another home's in either direction. Prints this home's domains afterwards.

                An edge that requires proof of ownership (edgeagent serve --domain-verification \
                txt) refuses a new domain until its DNS has the TXT record the refusal names \
                (_portico.example.com "portico-verify=…"); publish it and run this again. \
                Domains under one this home holds need no record.
                """
        )

        @OptionGroup var options: HomeConfigOptions
        @Argument(help: "The domain, e.g. example.com.")
        var domain: String

        func run() async throws {
            let result = try await DomainCommand.request(configPath: options.config, .domainAdd, domain) {
                try await $0.addDomain(domain)
            }
            // As the edge stored it (lower case, no trailing dot).
            var typed = domain.lowercased()
            if typed.hasSuffix(".") { typed.removeLast() }
            DomainCommand.print(result, after: "added \(result.domains.first { $0 == typed } ?? domain)")
        }
    }

    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Release a base domain of this home.",
            discussion: "The edge refuses while a forward's hostname is under the domain; unexpose it first."
        )

        @OptionGroup var options: HomeConfigOptions
        @Argument(help: "The domain to release.")
        var domain: String

        func run() async throws {
            let result = try await DomainCommand.request(configPath: options.config, .domainRemove, domain) {
                try await $0.removeDomain(domain)
            }
            DomainCommand.print(result, after: "removed \(domain)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print this home's base domains, as the edge has them, one per line.",
            discussion: "Asks the edge, through the running agent if there is one."
        )

        @OptionGroup var options: HomeConfigOptions
        @Flag(help: "Print {\"domains\": [...]} instead.")
        var json = false

        func run() async throws {
            let result = try await DomainCommand.request(configPath: options.config, .domainList, nil) {
                try await $0.listDomains()
            }
            if json {
                let document = try AdminSocketCoding.encoder.encode(["domains": result.domains])
                Swift.print(String(decoding: document, as: UTF8.self))
            } else {
                Swift.print(result.domains.isEmpty ? "(none)" : result.domains.joined(separator: "\n"))
            }
        }
    }

    /// Through the running agent if one serves this config, else over a
    /// session of our own that is always closed again. An edge refusal
    /// propagates as ``EdgeRequestError/refused(_:)``, whose description
    /// carries the edge's sentence and code; the exit status is 1.
    static func request(
        configPath: String, _ command: AdminRequest.Command, _ domain: String?,
        _ body: (EdgeRequestClient) async throws -> DomainResult
    ) async throws -> DomainResult {
        if let result = try await throughRunningAgent(configPath: configPath, command, domain) {
            return result
        }
        let connection = try await EdgeConnection.open(configPath: configPath)
        do {
            let result = try await body(connection.requests)
            await connection.close()
            return result
        } catch {
            await connection.close()
            throw error
        }
    }

    /// Sends the request through the running agent for this config, if one
    /// answers (a second session would take the running one's place at the
    /// edge); nil when no agent runs.
    static func throughRunningAgent(
        configPath: String, _ command: AdminRequest.Command, _ domain: String?
    ) async throws -> DomainResult? {
        let socket = AdminSocketCoding.socketPath(forConfig: configPath)
        guard let reply = try? await AdminSocketClient.send(
                AdminRequest(command: command, domain: domain), to: socket, group: AgentProcess.eventLoopGroup)
        else { return nil }
        if let domains = reply.domains, let error = domains.error {
            throw EdgeRequestError.refused(error)
        }
        guard reply.ok, let domains = reply.domains else {
            throw RunningAgentError(message: reply.error ?? "the running agent gave no answer")
        }
        return domains
    }

    static func print(_ result: DomainResult, after action: String) {
        Swift.print(action)
        Swift.print("domains: " + (result.domains.isEmpty ? "(none)" : result.domains.joined(separator: " ")))
    }
}
