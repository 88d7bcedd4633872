import AgentRuntime
import ArgumentParser
import Wire

/// `edgeagent`: the cloud side of Portico. Terminates public ports and carries
/// each public connection to the owning home over that home's one tunnel.
@main
struct EdgeAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edgeagent",
        abstract: "Portico edge: public listeners, routing and the home registry.",
        discussion: """
            The edge accepts one mutually authenticated TLS tunnel per home and carries \
            each public connection to the home that owns it: TLS by SNI (passed \
            through, never decrypted), HTTP by Host, TCP by port. It keeps homes, \
            domains and forwards in its registry, enrolls homes with join tokens and \
            offers an admin API on 127.0.0.1, which the other subcommands use.
            Wire protocol version \(WireVersion.current).
            """,
        version: WireVersion.softwareVersion,
        subcommands: [ServeCommand.self, HomeCommand.self, DomainCommand.self, RouteCommand.self, AuditCommand.self]
    )

    /// Creates the process's event-loop group on the main thread before
    /// anything else runs, so its threads keep the process's nice value
    /// (see `AgentProcess`), then parses and runs the command.
    static func main() async {
        AgentProcess.start()
        await main(nil)
    }
}
