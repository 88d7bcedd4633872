import AgentRuntime
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire

/// The edge's tunnel port: TLS 1.3 with the edge CA, one session per home.
/// Every connection is admitted by certificate against the registry before
/// its session starts; connections without a certificate may only enroll.
final class TunnelListener: Sendable {
    let channel: Channel
    let sessions: HomeSessionTable
    /// The tunnel pair new connections are served with (replaceable while running).
    let identity: TunnelIdentity

    private init(channel: Channel, sessions: HomeSessionTable, identity: TunnelIdentity) {
        self.channel = channel
        self.sessions = sessions
        self.identity = identity
    }

    var address: SocketAddress? { channel.localAddress }

    static func bind(
        host: String,
        port: Int,
        group: EventLoopGroup,
        authority: EdgeAuthority,
        registry: Registry,
        sessions: HomeSessionTable = HomeSessionTable(),
        sessionConfiguration: SessionConfiguration = SessionConfiguration(),
        publicAddresses: EdgePublicAddresses? = nil,
        routesChanged: @escaping @Sendable () async -> Set<Int> = { [] },
        domainVerifier: DomainVerifier? = nil,
        logger: Logger
    ) async throws -> TunnelListener {
        let identity = try TunnelIdentity(authority)
        let enrollment = EnrollmentService(registry: registry, authority: authority)
        // Without explicit settings, forwards are reported under the edge's
        // first configured hostname and the rootless default ports.
        let addresses = publicAddresses ?? EdgePublicAddresses(hostname: authority.tunnelNames.first ?? "localhost")
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 256)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(TunnelSocketOptions.notSentLowWatermark, value: TunnelSocketOptions.notSentLowWatermarkBytes)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let admission = TunnelAdmissionHandler(
                        logger: logger,
                        admit: { try await registry.admit(certificate: $0) },
                        install: { channel, admission in
                            try Self.install(admission, on: channel, sessions: sessions, enrollment: enrollment,
                                             registry: registry, addresses: addresses, routesChanged: routesChanged,
                                             domainVerifier: domainVerifier, configuration: sessionConfiguration,
                                             logger: logger)
                        })
                    try channel.pipeline.syncOperations.addHandlers(TLSHandler(context: identity.context), admission)
                }
            }
        let channel = try await ListenError.naming("tunnel port", host: host, port: port) {
            try await bootstrap.bind(host: host, port: port).get()
        }
        return TunnelListener(channel: channel, sessions: sessions, identity: identity)
    }

    /// Starts the session the admission allows.
    private static func install(
        _ admission: TunnelAdmission,
        on channel: Channel,
        sessions: HomeSessionTable,
        enrollment: EnrollmentService,
        registry: Registry,
        addresses: EdgePublicAddresses,
        routesChanged: @escaping @Sendable () async -> Set<Int>,
        domainVerifier: DomainVerifier?,
        configuration: SessionConfiguration,
        logger: Logger
    ) throws {
        // Homes never open streams towards the edge.
        let refuse: @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = {
            $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
        }
        var logger = logger
        let pipeline = channel.pipeline.syncOperations
        switch admission {
        case .enrolling:
            logger[metadataKey: "tunnel.peer"] = "\(channel.remoteAddress.plainText)"
            let session = try pipeline.addWireSession(role: .listener, configuration: configuration, logger: logger, inboundStreamInitializer: refuse)
            try pipeline.addHandler(EnrollmentHandler(session: session, service: enrollment, logger: logger))
        case .home(let name, let limits):
            logger[metadataKey: "home.name"] = "\(name)"
            let session = try pipeline.addWireSession(role: .listener, configuration: configuration, logger: logger, inboundStreamInitializer: refuse)
            let control = HomeControlService(
                home: name, registry: registry, addresses: addresses, now: { Date() }, logger: logger,
                renewal: CertificateRenewalService(home: name, registry: registry, authority: enrollment.authority, logger: logger),
                routesChanged: routesChanged, domainVerifier: domainVerifier)
            try pipeline.addHandler(HomeControlHandler(session: session, service: control, logger: logger))
            sessions.register(session, for: name, limits: limits)
            session.ready.whenSuccess { sessions.noteStreamLimit($0.maxConcurrentStreams, of: session, for: name) }
            channel.closeFuture.whenComplete { _ in sessions.remove(session, for: name) }
            logger.info("home connected")
        }
    }

    func close() async throws {
        try await channel.close()
    }
}
