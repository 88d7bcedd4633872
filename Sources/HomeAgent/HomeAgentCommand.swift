import AgentRuntime
import ArgumentParser
import Wire

/// `homeagent`: the home side of Portico. Dials one outbound TLS tunnel to the
/// edge and serves the streams the edge opens, only towards its own targets.
@main
struct HomeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "homeagent",
        abstract: "Portico home agent: one outbound tunnel to the edge, forwards to local services.",
        discussion: """
            The home agent never opens an inbound port. It connects to the edge, \
            declares its forwards and dials only the targets named in its own config.
            Wire protocol version \(WireVersion.current).
            """,
        version: WireVersion.softwareVersion,
        subcommands: [
            JoinCommand.self, RunCommand.self, StatusCommand.self, DomainCommand.self, ExposeCommand.self,
            UnexposeCommand.self, HTTPCommand.self, TCPCommand.self, SyncCommand.self, RenewCommand.self,
        ]
    )

    /// Creates the process's event-loop group on the main thread before
    /// anything else runs, so its threads keep the process's nice value
    /// (see `AgentProcess`), then parses and runs the command.
    static func main() async {
        AgentProcess.start()
        await main(nil)
    }
}
