import ArgumentParser

/// `homeagent sync`: declares the config's forwards to the edge once and
/// shows where each is reachable, or why the edge refused it. The operator's
/// check until `homeagent run` syncs on every connect.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send the config's forwards to the edge once and print their public addresses.",
        discussion: """
            Connects as this home, declares every forward in the config (forwards not \
            listed are released; unchanged ones keep their public address and TCP port) \
            and prints one line per forward: its public address or the edge's error. \
            Exits with status 1 if the edge rejected any forward.
            """
    )

    @OptionGroup var options: HomeConfigOptions

    @Flag(name: .long, help: "Print the statuses as JSON.")
    var json = false

    func run() async throws {
        let config: HomeConfig
        do { config = try HomeConfigFile.load(path: options.config) } catch { throw EdgeConnectionError.config(error) }
        try await OneShotSync.run(config: config, configPath: options.config, json: json)
    }
}
