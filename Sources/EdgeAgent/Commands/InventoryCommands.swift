import ArgumentParser

/// `edgeagent domain list`: base domains and their owners (`domain add`: DomainAddCommand.swift).
struct DomainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain", abstract: "Show base domains claimed by homes, or claim one for a home.",
        subcommands: [List.self, Add.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List base domains with their owning home.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try PrintJSON.print(try await AdminClient(options: options).call("GET", "/api/domains"))
        }
    }
}

/// `edgeagent route list`: the live route table.
struct RouteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "route", abstract: "Show the live route table.", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List routes: hostname or port to home and forward.")
        @OptionGroup var options: AdminOptions

        func run() async throws {
            try PrintJSON.print(try await AdminClient(options: options).call("GET", "/api/routes"))
        }
    }
}
