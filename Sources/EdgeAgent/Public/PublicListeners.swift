import AgentRuntime
import Logging
import NIOCore
import Wire

/// Every public entry point of the edge: the TLS port, the HTTP port and one
/// port per TCP forward, with the route table they share. The TCP ports follow
/// the registry: `refreshRoutes()` reloads the routes and opens or closes
/// ports to match, so a forward is reachable as soon as its sync is stored.
actor PublicListeners {
    let routes = RouteTable()
    let refusals: PublicRefusalCounters
    private let registry: Registry
    private let opener: PublicStreamOpener
    private let bootstrap: PublicListenerBootstrap
    private let host: String
    /// `--tcp-ports`: a stored forward port outside it (the range was
    /// narrowed since) is not opened; the forward moves into the range on
    /// its home's next sync.
    private let tcpPortRange: ClosedRange<Int>
    /// Stored ports left closed for being outside the range, logged once each.
    private var outOfRange: Set<Int> = []
    private let logger: Logger
    private var tls: Channel?
    private var http: Channel?
    private var tcp: [Int: Channel] = [:]
    /// The refresh in progress, so refreshes run one after another.
    private var lastRefresh: Task<Set<Int>, Never>?

    init(
        registry: Registry, sessions: HomeSessionTable, group: EventLoopGroup, host: String,
        tcpPortRange: ClosedRange<Int>, maxConnectionsPerHome: Int = ForwardCapacity.defaultPerHomeLimit, maxConnectionsPerForward: Int? = nil,
        metrics: EdgeMetrics, logger: Logger
    ) {
        self.registry = registry
        let capacity = ForwardCapacity(
            perHomeLimit: maxConnectionsPerHome, perForwardLimit: maxConnectionsPerForward, logger: logger)
        self.opener = PublicStreamOpener(sessions: sessions, capacity: capacity, metrics: metrics.homes)
        let refusals = metrics.refusals
        self.refusals = refusals
        self.bootstrap = PublicListenerBootstrap(group: group, refusals: refusals)
        self.host = host
        self.tcpPortRange = tcpPortRange
        self.logger = logger
    }

    /// Binds the TLS and HTTP ports (0 picks a free port) and opens the TCP
    /// ports of the forwards already in the registry.
    func start(tlsPort: Int, httpPort: Int) async throws {
        let routes = self.routes
        let opener = self.opener
        let refusals = self.refusals
        let logger = self.logger
        let tlsListener = PublicTLSListener(routes: routes, logger: logger)
        tls = try await bootstrap.bind("public TLS port", host: host, port: tlsPort) { channel in
            try channel.pipeline.syncOperations.addHandler(
                PublicConnectionHandler(router: tlsListener, opener: opener, refusals: refusals))
        }
        let boundTLS = tls?.localAddress?.port ?? tlsPort
        let httpListener = PublicHTTPListener(routes: routes, refusals: refusals, tlsPort: boundTLS, logger: logger)
        http = try await bootstrap.bind("public HTTP port", host: host, port: httpPort) { channel in
            try channel.pipeline.syncOperations.addHandler(
                PublicConnectionHandler(router: httpListener, opener: opener, refusals: refusals))
        }
        await refreshRoutes()
    }

    var tlsPort: Int? { tls?.localAddress?.port }
    var httpPort: Int? { http?.localAddress?.port }
    var tcpPorts: [Int] { tcp.keys.sorted() }

    /// Reloads the route table from the registry and opens or closes TCP
    /// forward ports to match, and returns the routed ports it could not
    /// open (another program holds them): the caller moves those forwards.
    /// Such a port is logged and tried again on the next refresh.
    @discardableResult
    func refreshRoutes() async -> Set<Int> {
        // The actor alone would let two refreshes interleave at their awaits
        // (binding one port twice, or an older table closing a port a newer
        // one needs); each waits for the one before it instead.
        let previous = lastRefresh
        let refresh = Task {
            _ = await previous?.value
            return await self.reconcile()
        }
        lastRefresh = refresh
        return await refresh.value
    }

    private func reconcile() async -> Set<Int> {
        let current: [Route]
        do { current = try await registry.routes() } catch {
            logger.error("could not load routes; keeping the previous table", metadata: ["reason": .reason(error)])
            return []
        }
        routes.replace(with: current)
        let routed = routes.tcpPorts
        let wanted = routed.filter(tcpPortRange.contains)
        let skipped = routed.subtracting(wanted)
        for port in skipped.subtracting(outOfRange).sorted() {
            logger.notice(
                "TCP forward port outside --tcp-ports left closed; the forward moves into the range on its home's next sync",
                metadata: ["port": .stringConvertible(port), "range": "\(tcpPortRange.lowerBound)-\(tcpPortRange.upperBound)"])
        }
        outOfRange = skipped
        for (port, channel) in tcp where !wanted.contains(port) {
            tcp[port] = nil
            try? await channel.close()
            logger.info("closed TCP forward port", metadata: ["port": .stringConvertible(port)])
        }
        var unopened: Set<Int> = []
        for port in wanted.sorted() where tcp[port] == nil {
            do {
                tcp[port] = try await bindTCP(port: port)
                logger.info("opened TCP forward port", metadata: ["port": .stringConvertible(port)])
            } catch {
                unopened.insert(port)
                logger.error("could not open TCP forward port", metadata: ["port": .stringConvertible(port), "reason": .reason(error)])
            }
        }
        return unopened
    }

    private func bindTCP(port: Int) async throws -> Channel {
        let routes = self.routes
        let opener = self.opener
        let refusals = self.refusals
        return try await bootstrap.bind("TCP forward port", host: host, port: port) { channel in
            try channel.pipeline.syncOperations.addHandler(PublicConnectionHandler(
                router: TCPForwardListener(port: port, routes: routes), opener: opener, refusals: refusals))
        }
    }

    func close() async {
        for channel in [tls, http].compactMap({ $0 }) + Array(tcp.values) {
            try? await channel.close()
        }
        tcp.removeAll()
    }
}
