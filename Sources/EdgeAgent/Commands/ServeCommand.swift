import ArgumentParser
import Dispatch
import Foundation
import Logging
import NIOPosix
import Wire

/// `edgeagent serve`: runs the edge until SIGINT or SIGTERM.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the edge: the tunnel port for homes and the admin API.",
        discussion: """
            On first start creates the data directory (0700) with the edge CA, the \
            tunnel certificate and the admin token (keys and token 0600), and the \
            registry (SQLite). Homes connect to the tunnel port; the API listens on \
            127.0.0.1 only.
            """
    )

    @OptionGroup var options: EdgeOptions

    @Option(name: .long, help: "Address the tunnel listens on.")
    var bind: String = "0.0.0.0"

    @Option(name: .long, help: "Public DNS name of this edge (repeatable); the first goes into join tokens.")
    var hostname: [String] = []

    func run() async throws {
        var logger = Logger(label: "portico.edge")
        logger.logLevel = .info
        let now = Date()
        let hostnames = hostname.isEmpty ? ["localhost"] : hostname
        let authority = try EdgeAuthority.open(
            directory: options.dataDirectory, hostnames: hostnames, now: now,
            machineName: ProcessInfo.processInfo.hostName)
        for event in authority.events { logger.info("\(event)") }
        let adminToken = try AdminToken.loadOrCreate(in: options.dataDirectory)
        let registry = try Registry(dataDirectory: options.dataDirectory, publicSuffixList: PublicSuffixList())
        let sessions = HomeSessionTable()
        let publicAddresses = EdgePublicAddresses(
            hostname: hostnames[0], tlsPort: options.basePort, httpPort: options.basePort - 1)
        let group = MultiThreadedEventLoopGroup.singleton
        let tunnel = try await TunnelListener.bind(
            host: bind, port: options.resolvedTunnelPort, group: group, authority: authority, registry: registry,
            sessions: sessions, publicAddresses: publicAddresses, logger: logger)
        let tunnelPort = tunnel.address?.port ?? options.resolvedTunnelPort
        let api = try await APIServer.start(
            port: options.resolvedAPIPort,
            context: APIContext(
                registry: registry, sessions: sessions, adminToken: adminToken,
                tunnelHost: hostnames[0], tunnelPort: tunnelPort, caPin: authority.caPin,
                publicHostname: hostnames[0], clock: { Date() }),
            logger: logger)
        try EdgeRuntimeFile(apiPort: api.port, tunnelPort: tunnelPort).write(to: options.dataDirectory)
        logger.info("edge ready", metadata: ["tunnel": "\(bind):\(tunnelPort)", "api": "127.0.0.1:\(api.port)", "data": "\(options.dataDirectory.path)"])

        await ShutdownSignal.wait()
        logger.info("shutting down")
        await api.stop()
        try? await tunnel.close()
        for home in sessions.connectedHomes { sessions.disconnect(home) }
        try? registry.close()
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
