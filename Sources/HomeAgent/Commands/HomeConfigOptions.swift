import ArgumentParser

/// `--config`, shared by every command that works on an enrolled home, so
/// they all default to the file `homeagent join` wrote.
struct HomeConfigOptions: ParsableArguments {
    @Option(name: .long, help: "The home agent config file (written by `homeagent join`).",
            completion: .file(extensions: ["yaml", "yml"]))
    var config: String = HomeAgentPaths.defaultConfigPath
}
