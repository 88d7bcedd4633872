import AgentRuntime
import ArgumentParser
import Wire

/// `homeagent tcp TARGET [--port N]`: a tcp forward for as long as the
/// command runs (`AdHocSession`).
struct TCPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tcp",
        abstract: "Expose a local TCP service on a public port until Ctrl-C, without editing the config.",
        discussion: """
            Examples:
              homeagent tcp 22
              homeagent tcp 127.0.0.1:5432 --port 20432

            The edge gives any free port of its TCP range, or with --port that port if it \
            is inside the range, within this home's quota and free; otherwise the command \
            fails saying why.


            """ + AdHocSession.discussion
    )

    @OptionGroup var options: HomeConfigOptions

    @Argument(help: ArgumentHelp("The local service: PORT (on 127.0.0.1) or HOST:PORT.", valueName: "target"))
    var target: String

    @Option(name: .long, help: ArgumentHelp("The public port to ask the edge for, instead of any free one.", valueName: "port"))
    var port: Int?

    @Option(name: .long, help: ArgumentHelp("The forward's name while it runs (default tcp-PORT).", valueName: "name"))
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
        if let port, !(1...65_535).contains(port) { throw ValidationError("--port \(port) is not a TCP port (1-65535)") }
        let forward = HomeConfig.Forward(
            name: name ?? AdHocTarget.defaultName(.tcp, address), type: .tcp, target: address, port: port)
        if let problem = forward.problem { throw ValidationError(name == nil ? problem : "--name: \(problem)") }
        return forward
    }
}
