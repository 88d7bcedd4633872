import AgentRuntime
import ArgumentParser
import Foundation
import Logging
import Metrics
import NIOPosix
import Wire

/// `edgeagent serve`: builds the edge from its flags (`EdgeConfiguration`)
/// and runs it as one service group until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the edge: public TLS, HTTP and TCP ports, the tunnel port for homes, the admin API.",
        discussion: """
            Ports (all derived from --base-port unless given): public TLS = base (SNI \
            passthrough to the owning home), public HTTP = base-1 (routing by Host, ACME \
            challenges, redirect to https), tunnel = base+1 (homes connect here), API = \
            base+2 on 127.0.0.1 only. TCP forwards get ports from --tcp-ports. Port 0 \
            lets the system choose; the ports bound are written to edge.runtime.json in \
            the data directory (removed at stop), where the admin commands find them. \
            One edge per data directory: a second `serve` on the same one refuses to \
            start (edge.lock).

            On first start creates the data directory (0700) with the edge CA, the \
            tunnel certificate and the admin token (keys and token 0600), and the \
            registry (SQLite). SIGINT or SIGTERM drains: public ports close, homes get \
            GOAWAY, and streams in flight get --drain-timeout seconds to finish (a second \
            SIGINT or SIGTERM ends them at once). SIGHUP \
            re-reads the routes from the registry, retries TCP forward ports that \
            another program held, and reissues the tunnel certificate if it expires \
            within 30 days (also checked every 12 hours); everything else here needs \
            a restart.

            Logs go to stderr, as text or as one JSON object per line (--log-format json).

            Every option can also be set in a config file (--config FILE, or \
            $PORTICO_CONFIG, else /etc/portico/edge.yaml when it exists): YAML, one \
            key per option, named like the flag with '_' for '-' (data_dir, base_port, \
            tunnel_port, api_port, https_port, http_port, bind, hostname (a name or a \
            list), tcp_ports, drain_timeout, max_connections_per_home, \
            max_connections_per_forward, domain_verification, dns_server (an address or a \
            list), dns_timeout, log_level, log_format); an unknown key or a bad \
            value stops the edge with the file, line and key. And in the environment, \
            as PORTICO_ and the key in capitals (PORTICO_DATA_DIR, PORTICO_BASE_PORT, \
            PORTICO_HOSTNAME=a.example,b.example, PORTICO_DNS_SERVER=192.0.2.53,192.0.2.54, \
            ...). A flag wins over the \
            environment, which wins over the file, which wins over the default. The \
            admin commands (home, domain, route, audit) read PORTICO_DATA_DIR, \
            PORTICO_API_PORT and data_dir from the same file too.
            """
    )

    @OptionGroup var options: EdgeOptions

    @OptionGroup var configFile: ConfigFileOption

    @OptionGroup var logging: LoggingOptions

    @Option(name: .long, help: "Address the public and tunnel ports listen on (default 0.0.0.0).")
    var bind: String?

    @Option(name: .long, help: "Public DNS name of this edge (repeatable); the first goes into join tokens.")
    var hostname: [String] = []

    @Option(name: .long, help: "Public TLS port (default base).")
    var httpsPort: Int?

    @Option(name: .long, help: "Public HTTP port (default base-1).")
    var httpPort: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Public ports for TCP forwards (default: \(PortRange(EdgePublicAddresses.defaultTCPPortRange))).",
            valueName: "low-high"),
        transform: PortRange.parse)
    var tcpPorts: PortRange?

    @Option(name: .long, help: "Seconds streams in flight get to finish on shutdown, 0-3600 (default 10).")
    var drainTimeout: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Most public connections one home may hold at once, whatever the home announces (its max_streams; default \(ForwardCapacity.defaultPerHomeLimit)).",
            valueName: "n"))
    var maxConnectionsPerHome: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Most public connections one forward may hold at once (default: three quarters of its home's share).",
            valueName: "n"))
    var maxConnectionsPerForward: Int?

    @OptionGroup var domainVerification: DomainVerificationOptions

    /// The settings these flags, the environment and the config file describe.
    func settings(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> ServeSettings {
        try ServeSettings(self, sources: EdgeSettingSources.load(configFlag: configFile.config, environment: environment))
    }

    func run() async throws {
        let settings = try self.settings()
        let edgeConfiguration = settings.configuration
        AgentLogging.bootstrap(level: settings.logLevel, format: settings.logFormat)
        let logger = Logger(label: "portico.edge")
        do {
            // One descriptor per public connection: 1,024 would cap the edge early.
            let descriptors = OpenFileLimit.raiseToHardLimit()
            logger.info("open file limit", metadata: ["open_files": .stringConvertible(descriptors)])
            let metrics = EdgeMetrics()
            MetricsSystem.bootstrap(metrics.factory)  // once per process: here, never where tests build an edge
            let group = AgentProcess.eventLoopGroup
            // After a burst of buffering (slow readers that leave) the memory goes back.
            let trimming = FreeMemoryReturn.every(.seconds(5), on: group.next())
            defer { trimming.cancel() }

            if let warning = TokenAddressCheck.warning(
                hostnames: edgeConfiguration.hostnames, given: settings.hostnameGiven, bind: edgeConfiguration.bindHost) {
                logger.warning("\(warning)")
            }
            let edge = try await EdgeServices.build(edgeConfiguration, metrics: metrics, group: group, logger: logger)
            try await edge.serviceGroup(signals: .handled).run()
            // The ports it names are closed now; the lock goes with the process.
            EdgeRuntimeFile.remove(from: edge.configuration.dataDirectory)
        } catch {
            throw AgentLogging.fatal(error, logger: logger)
        }
        logger.info("stopped")
    }
}
