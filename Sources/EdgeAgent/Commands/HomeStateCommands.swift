import ArgumentParser

extension HomeCommand {
    /// `edgeagent home disable NAME`
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Take a home off the edge, keeping everything it holds, until `home enable`.",
            discussion: """
                The home's live session ends at once, its public addresses stop answering, \
                and the edge refuses its reconnects (its agent then shows `refused` in \
                `homeagent status` and retries rarely) and any join with its tokens. Its \
                domains, forwards, TCP ports, limits and certificate are kept, unlike \
                `home delete`.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String

        func run() async throws {
            let home = try await AdminClient(options: options).call("POST", "/api/homes/\(name)/disable") as? [String: Any]
            print("\(home?["name"] as? String ?? name): disabled")
        }
    }

    /// `edgeagent home enable NAME`
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Let a disabled home connect again.",
            discussion: """
                Its agent reconnects on its next retry (within an hour), or at once after \
                `homeagent sync` at home; its public addresses answer again once it has.
                """)
        @OptionGroup var options: AdminOptions
        @Argument(help: "The home's name.") var name: String

        func run() async throws {
            let home = try await AdminClient(options: options).call("POST", "/api/homes/\(name)/enable") as? [String: Any]
            print("\(home?["name"] as? String ?? name): enabled (\(home?["state"] as? String ?? "?"))")
        }
    }
}
