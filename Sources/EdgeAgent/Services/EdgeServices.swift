import AgentRuntime
import Foundation
import Logging
import NIOCore
import Wire

/// One edge, built from one `EdgeConfiguration` by `build`, the only place
/// that assembles the edge's parts: `edgeagent serve` and the tests that
/// need a whole edge both go through it. `serviceGroup` then runs the parts
/// as `Service`s of one group, which owns signals and the shutdown order.
///
/// Startup order (`build`): the data directory's lock, authority (CA and tunnel pair), admin token,
/// registry, public listeners (TLS, HTTP, then the TCP ports of the forwards
/// already registered), tunnel listener; the API binds when the group starts
/// it, and "edge ready" follows. Binding before the group runs means a port
/// that is taken fails the start before anything is announced.
struct EdgeServices: Sendable {
    /// Held while the edge runs: one edge per data directory.
    let lock: ProcessLock
    /// The lock file in the data directory (the admin commands look at it too).
    static let lockFileName = "edge.lock"
    let configuration: EdgeConfiguration
    /// The CA, as opened at start (it never changes while the edge runs; the
    /// tunnel pair in use is `tunnel.identity`, which renewal may replace).
    let authority: EdgeAuthority
    let registry: Registry
    let sessions: HomeSessionTable
    let listeners: PublicListeners
    let tunnel: TunnelListener
    let api: APIServer
    /// The edge's public name and bound ports, as homes are told them.
    let publicAddresses: EdgePublicAddresses
    let boundTLSPort: Int
    let boundHTTPPort: Int
    let tunnelPort: Int
    /// The edge's metrics registry, scraped at `/metrics`.
    let metrics: EdgeMetrics
    let logger: Logger

    /// Opens the data directory and binds every port but the API's (see the
    /// type's header). On failure, what was already opened is closed again.
    /// `metrics` is the edge's own registry (a fresh one per edge, so tests
    /// can run several edges in one process); the executable also bootstraps
    /// swift-metrics with it.
    static func build(
        _ configuration: EdgeConfiguration, metrics: EdgeMetrics = EdgeMetrics(), group: any EventLoopGroup,
        logger: Logger
    ) async throws -> EdgeServices {
        // Before anything in the directory is read or written: a second edge
        // on the same data would share its registry and ports file.
        let createdDirectory = try SecureFile.ensureDirectory(configuration.dataDirectory)
        let lock = try ProcessLock.acquire(
            configuration.dataDirectory.appendingPathComponent(Self.lockFileName).path,
            what: "the data directory \(configuration.dataDirectory.path)",
            advice: "stop that edge first, or give this one its own --data-dir")
        if createdDirectory {
            let event = EdgeAuthority.Event.createdDataDirectory
            logger.info(event.logMessage, metadata: event.logMetadata)
        }
        let authority = try EdgeAuthority.open(
            directory: configuration.dataDirectory, hostnames: configuration.hostnames, now: Date(),
            machineName: configuration.machineName)
        for event in authority.events { logger.info(event.logMessage, metadata: event.logMetadata) }
        let adminToken = try AdminToken.loadOrCreate(in: configuration.dataDirectory)
        let registry = try Registry(
            dataDirectory: configuration.dataDirectory, publicSuffixList: try configuration.publicSuffixes.load())
        let domainVerifier = try configuration.domainVerification.verifier(
            dataDirectory: configuration.dataDirectory, group: group)
        if let domainVerifier {
            logger.info(
                "domain claims need a DNS TXT record",
                metadata: ["dns.servers": "\(domainVerifier.resolver.servers.map(\.description).joined(separator: " "))"])
        }
        let sessions = HomeSessionTable()
        let listeners = PublicListeners(
            registry: registry, sessions: sessions, group: group, host: configuration.bindHost,
            tcpPortRange: configuration.tcpPortRange,
            maxConnectionsPerHome: configuration.maxConnectionsPerHome,
            maxConnectionsPerForward: configuration.maxConnectionsPerForward, metrics: metrics, logger: logger)
        do {
            try await listeners.start(tlsPort: configuration.tlsPort, httpPort: configuration.httpPort)
            let boundTLS = await listeners.tlsPort ?? configuration.tlsPort
            let boundHTTP = await listeners.httpPort ?? configuration.httpPort
            let publicAddresses = EdgePublicAddresses(
                hostname: configuration.primaryHostname, tlsPort: boundTLS, httpPort: boundHTTP,
                tcpPortRange: configuration.tcpPortRange)
            let tunnel = try await TunnelListener.bind(
                host: configuration.bindHost, port: configuration.tunnelPort, group: group, authority: authority,
                registry: registry, sessions: sessions, sessionConfiguration: configuration.session,
                publicAddresses: publicAddresses, routesChanged: { await listeners.refreshRoutes() },
                domainVerifier: domainVerifier, logger: logger)
            let tunnelPort = tunnel.address?.port ?? configuration.tunnelPort
            let api = APIServer(
                host: configuration.apiHost, port: configuration.apiPort,
                context: APIContext(
                    registry: registry, sessions: sessions, adminToken: adminToken,
                    tunnelHost: configuration.primaryHostname, tunnelPort: tunnelPort, caPin: authority.caPin,
                    publicAddresses: publicAddresses, clock: { Date() },
                    routesChanged: { await listeners.refreshRoutes() }, metrics: metrics,
                    domainVerifier: domainVerifier),
                group: group, logger: logger)
            return EdgeServices(
                lock: lock, configuration: configuration, authority: authority, registry: registry, sessions: sessions,
                listeners: listeners, tunnel: tunnel, api: api, publicAddresses: publicAddresses,
                boundTLSPort: boundTLS, boundHTTPPort: boundHTTP, tunnelPort: tunnelPort, metrics: metrics,
                logger: logger)
        } catch {
            await listeners.close()
            try? registry.close()
            throw error
        }
    }
}

extension EdgeConfiguration.PublicSuffixSource {
    func load() throws -> PublicSuffixList {
        switch self {
        case .system: try PublicSuffixList()
        case .text(let text): try PublicSuffixList(text: text)
        }
    }
}
