import ArgumentParser
import Dispatch
import Foundation
import Logging
import Metrics
import NIOPosix
import Wire

/// `edgeagent serve`: runs the edge until SIGINT or SIGTERM.
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
            the data directory.

            On first start creates the data directory (0700) with the edge CA, the \
            tunnel certificate and the admin token (keys and token 0600), and the \
            registry (SQLite). SIGINT or SIGTERM drains: public ports close, homes get \
            GOAWAY, and streams in flight get --drain-timeout seconds to finish.
            """
    )

    @OptionGroup var options: EdgeOptions

    @Option(name: .long, help: "Address the public and tunnel ports listen on.")
    var bind: String = "0.0.0.0"

    @Option(name: .long, help: "Public DNS name of this edge (repeatable); the first goes into join tokens.")
    var hostname: [String] = []

    @Option(name: .long, help: "Public TLS port (default base).")
    var httpsPort: Int?

    @Option(name: .long, help: "Public HTTP port (default base-1).")
    var httpPort: Int?

    @Option(name: .long, help: ArgumentHelp("Public ports for TCP forwards.", valueName: "low-high"))
    var tcpPorts: PortRange = PortRange(EdgePublicAddresses.defaultTCPPortRange)

    @Option(name: .long, help: "Seconds streams in flight get to finish on shutdown.")
    var drainTimeout: Int = 10

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Most public connections one home may hold at once, whatever the home announces (its max_streams).",
            valueName: "n"))
    var maxConnectionsPerHome: Int = ForwardCapacity.defaultPerHomeLimit

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Most public connections one forward may hold at once (default: three quarters of its home's share).",
            valueName: "n"))
    var maxConnectionsPerForward: Int?

    func validate() throws {
        for (name, port) in [("--https-port", httpsPort), ("--http-port", httpPort)] {
            if let port, !(0...65_535).contains(port) {
                throw ValidationError("\(name) \(port) is outside 0-65535")
            }
        }
        guard (0...3600).contains(drainTimeout) else {
            throw ValidationError("--drain-timeout must be 0-3600 seconds, got \(drainTimeout)")
        }
        guard maxConnectionsPerHome >= 1 else {
            throw ValidationError("--max-connections-per-home must be at least 1, got \(maxConnectionsPerHome)")
        }
        if let maxConnectionsPerForward, maxConnectionsPerForward < 1 {
            throw ValidationError("--max-connections-per-forward must be at least 1, got \(maxConnectionsPerForward)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "portico.edge")
        logger.logLevel = .info
        // One descriptor per public connection: 1,024 would cap the edge early.
        let descriptors = OpenFileLimit.raiseToHardLimit()
        let now = Date()
        let hostnames = hostname.isEmpty ? ["localhost"] : hostname
        let authority = try EdgeAuthority.open(
            directory: options.dataDirectory, hostnames: hostnames, now: now,
            machineName: ProcessInfo.processInfo.hostName)
        for event in authority.events { logger.info("\(event)") }
        let adminToken = try AdminToken.loadOrCreate(in: options.dataDirectory)
        let registry = try Registry(dataDirectory: options.dataDirectory, publicSuffixList: PublicSuffixList())
        let sessions = HomeSessionTable()
        let metrics = EdgeMetrics()
        MetricsSystem.bootstrap(metrics.factory)  // once per process: here, never where tests build an edge
        let group = MultiThreadedEventLoopGroup.singleton
        // After a burst of buffering (slow readers that leave) the memory goes back.
        let trimming = FreeMemoryReturn.every(.seconds(5), on: group.next())
        defer { trimming.cancel() }

        let listeners = PublicListeners(
            registry: registry, sessions: sessions, group: group, host: bind,
            maxConnectionsPerHome: maxConnectionsPerHome, maxConnectionsPerForward: maxConnectionsPerForward,
            metrics: metrics, logger: logger)
        try await listeners.start(
            tlsPort: httpsPort ?? options.basePort, httpPort: httpPort ?? options.basePort - 1)
        let publicAddresses = EdgePublicAddresses(
            hostname: hostnames[0], tlsPort: await listeners.tlsPort ?? options.basePort,
            httpPort: await listeners.httpPort ?? options.basePort - 1, tcpPortRange: tcpPorts.range)
        let routesChanged: @Sendable () async -> Set<Int> = { await listeners.refreshRoutes() }
        let tunnel = try await TunnelListener.bind(
            host: bind, port: options.resolvedTunnelPort, group: group, authority: authority, registry: registry,
            sessions: sessions, publicAddresses: publicAddresses, routesChanged: routesChanged, logger: logger)
        let tunnelPort = tunnel.address?.port ?? options.resolvedTunnelPort
        let api = try await APIServer.start(
            port: options.resolvedAPIPort,
            context: APIContext(
                registry: registry, sessions: sessions, adminToken: adminToken,
                tunnelHost: hostnames[0], tunnelPort: tunnelPort, caPin: authority.caPin,
                publicAddresses: publicAddresses, clock: { Date() }, routesChanged: { await listeners.refreshRoutes() },
                metrics: metrics),
            logger: logger)
        try EdgeRuntimeFile(
            apiPort: api.port, tunnelPort: tunnelPort, httpsPort: publicAddresses.tlsPort,
            httpPort: publicAddresses.httpPort
        ).write(to: options.dataDirectory)
        logger.info("edge ready", metadata: [
            "https": "\(bind):\(publicAddresses.tlsPort)", "http": "\(bind):\(publicAddresses.httpPort)",
            "tcp": "\(tcpPorts)", "tunnel": "\(bind):\(tunnelPort)", "api": "127.0.0.1:\(api.port)",
            "data": "\(options.dataDirectory.path)", "open_files": "\(descriptors)",
        ])

        await ShutdownSignal.wait()
        logger.info("draining", metadata: ["timeout": "\(drainTimeout)s"])
        await listeners.close()
        try? await tunnel.close()
        await sessions.drainAll(timeout: .seconds(Int64(drainTimeout)))
        await api.stop()
        try? registry.close()
        logger.info("stopped")
    }
}

/// Suspends until the process receives SIGINT or SIGTERM.
enum ShutdownSignal {
    static func wait() async {
        let (stream, continuation) = AsyncStream<Void>.makeStream()
        let sources = [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { continuation.yield() }
            source.resume()
            return source
        }
        for await _ in stream { break }
        sources.forEach { $0.cancel() }
    }
}
