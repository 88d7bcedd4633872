import AgentRuntime
import ArgumentParser
import Wire

/// `homeagent http TARGET --hostname NAME`: an http forward for as long as
/// the command runs (`AdHocSession`).
struct HTTPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "Expose a local web service by a hostname until Ctrl-C, without editing the config.",
        discussion: """
            Examples:
              homeagent http 8080 --hostname app.example.com
              homeagent http 192.168.1.20:80 --hostname nas.example.com

            The edge routes plain HTTP by the Host header, so --hostname is required: a \
            name under one of this home's domains (`homeagent domain list`; claim one with \
            `homeagent domain add`), whose DNS points at the edge.


            """ + AdHocSession.discussion
    )

    @OptionGroup var options: HomeConfigOptions

    @Argument(help: ArgumentHelp("The local service: PORT (on 127.0.0.1) or HOST:PORT.", valueName: "target"))
    var target: String

    @Option(name: .long, help: "The public hostname, under one of this home's domains.")
    var hostname: String?

    @Option(name: .long, help: ArgumentHelp("The forward's name while it runs (default http-PORT).", valueName: "name"))
    var name: String?

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try forward()
    }

    func run() async throws {
        try await AdHocSession(configPath: options.config, forward: try forward(), logging: logging).run()
    }

    private func forward() throws(ValidationError) -> HomeConfig.Forward {
        let address = try AdHocTarget.parse(target)
        guard let hostname else {
            throw ValidationError(
                "--hostname is required: the edge routes http by Host, e.g. --hostname app.example.com "
                    + "(a name under one of this home's domains; see `homeagent domain list`)")
        }
        let publicName: ForwardHostname
        do { publicName = try ForwardHostname(hostname) } catch { throw ValidationError("--hostname: \(error)") }
        let forward = HomeConfig.Forward(
            name: name ?? AdHocTarget.defaultName(.http, address), type: .http, hostname: publicName, target: address)
        if let problem = forward.problem { throw ValidationError(name == nil ? problem : "--name: \(problem)") }
        return forward
    }
}
