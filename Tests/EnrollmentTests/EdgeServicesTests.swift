import Foundation
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import Testing
import TestSupport
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// The whole edge as `edgeagent serve` builds it (`EdgeServices.build`, one
/// service group), with a real home session on its tunnel and a public
/// connection through it, shut down the way SIGTERM does it.
@Suite("The edge built by EdgeServices.build, run as one service group", .timeLimit(.minutes(2)))
struct EdgeServicesTests {
    static let drainTimeout: Duration = .seconds(3)

    @Test("graceful shutdown: public ports close first, the API stays up while homes drain, the registry closes last")
    func shutdownOrder() async throws { try await Self.withRunningEdge { running in
        let edge = running.edge
        let apiPort = try await edge.api.port()
        #expect(try await eventually { EdgeRuntimeFile.read(from: running.directory)?.apiPort == apiPort })

        // A home whose streams stay open until the edge closes them, and one public connection through it.
        let streams = Mutex(0)
        let session = try await Self.home("alice", at: edge) { _ in streams.withLock { $0 += 1 } }
        let requests = try await EdgeRequestClient.attach(to: session, timeout: .seconds(10))
        let placed = try await requests.syncForwards(declarations: [ForwardDeclaration(name: "raw", type: .tcp)])
        let port = try #require(placed.first?.publicAddress?.split(separator: ":").last.flatMap { Int($0) })
        let client = try await Self.connect(port: port)
        try await client.writeAndFlush(ByteBuffer(string: "hello")).get()
        #expect(try await eventually { streams.withLock { $0 } == 1 })

        let shutdownStarted = ContinuousClock.now
        await running.group.triggerGracefulShutdown()
        #expect(try await eventually { (try? await Self.connect(port: edge.boundTLSPort)) == nil })
        #expect(try await eventually { (try? await Self.connect(port: port)) == nil })
        // The stream never ends, so the homes are still draining: the API answers meanwhile.
        #expect(session.channel.isActive)
        let api = try await Self.connect(port: apiPort)
        try await api.close()
        #expect(ContinuousClock.now - shutdownStarted < Self.drainTimeout)

        try await running.stop()
        // The drain ran to its deadline, then the session was closed.
        #expect(ContinuousClock.now - shutdownStarted >= Self.drainTimeout - .milliseconds(200))
        #expect(try await eventually { !session.channel.isActive })
        #expect((try? await Self.connect(port: apiPort)) == nil)
        await #expect(throws: RegistryError.self) { _ = try await edge.registry.routes() }
        try? await client.close()
    } }

    @Test("a taken tunnel port fails the build, and the public ports it had bound are free again")
    func takenPortFailsTheBuild() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-services-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let group = MultiThreadedEventLoopGroup.singleton
        let holder = try await ServerBootstrap(group: group).bind(host: "127.0.0.1", port: 0).get()
        let taken = try #require(holder.localAddress?.port)
        let publicPorts = try FreePorts.range(count: 2)
        var configuration = try Self.configuration(directory)
        configuration.tlsPort = publicPorts.lowerBound
        configuration.httpPort = publicPorts.upperBound
        configuration.tunnelPort = taken
        await #expect(throws: (any Error).self) {
            _ = try await EdgeServices.build(configuration, group: group, logger: Self.quiet)
        }
        for port in publicPorts {
            let rebound = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: port).get()
            try await rebound.close()
        }
        try await holder.close()
    }

    @Test("a tunnel certificate near expiry is reissued while the edge runs: new connections get it, sessions up stay")
    func tunnelCertificateRenewal() async throws { try await Self.withRunningEdge { running in
        let edge = running.edge
        let session = try await Self.home("alice", at: edge) { _ in }
        let first = try await Self.tunnelCertificate(of: edge)

        #expect(!edge.renewTunnelCertificate(now: Date()))  // a year left: nothing to do
        // Eleven months pass: the tunnel.pem on disk has 25 days left.
        let authority = edge.authority
        let aging = try AuthorityFiles.issueTunnelCertificate(
            authority: authority.authority, key: authority.tunnelKey, names: authority.tunnelNames,
            now: Date().addingTimeInterval(-340 * 86_400))
        let file = running.directory.appendingPathComponent(EdgeAuthority.tunnelCertificateFile)
        try aging.pemString.write(to: file, atomically: true, encoding: .utf8)

        #expect(edge.renewTunnelCertificate(now: Date()))
        #expect(!edge.renewTunnelCertificate(now: Date()))  // renewed once, good again
        let second = try await Self.tunnelCertificate(of: edge)
        #expect(second != first && second != aging)
        #expect(second.notAfter.timeIntervalSinceNow > 360 * 86_400)
        #expect(try Certificate(pem: String(contentsOf: file, encoding: .utf8)) == second)
        // Homes pin the CA, not the tunnel certificate: a new one connects as before.
        let bob = try await Self.home("bob", at: edge) { _ in }
        #expect(bob.channel.isActive)
        #expect(session.channel.isActive)
    } }

    /// An edge built in a fresh directory with its group running, for `body`.
    struct RunningEdge {
        let edge: EdgeServices
        let group: ServiceGroup
        let directory: URL
        let task: Task<Void, any Error>

        /// Shuts the group down gracefully and waits until it ended (again: returns at once).
        func stop() async throws {
            await group.triggerGracefulShutdown()
            try await task.value
        }
    }

    /// Runs `body` against a running edge (its configuration changed by
    /// `configure`), then stops it (whatever `body` did) and removes its directory.
    static func withRunningEdge(
        configure: (inout EdgeConfiguration) -> Void = { _ in }, _ body: (RunningEdge) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-services-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = try configuration(directory)
        configure(&configuration)
        let edge = try await EdgeServices.build(configuration, group: MultiThreadedEventLoopGroup.singleton, logger: quiet)
        let group = edge.serviceGroup(signals: .ignored)
        let running = RunningEdge(edge: edge, group: group, directory: directory, task: Task { try await group.run() })
        do {
            try await body(running)
        } catch {
            try? await running.stop()
            throw error
        }
        try await running.stop()
    }

    /// Every port chosen by the system, on loopback.
    static func configuration(_ directory: URL) throws -> EdgeConfiguration {
        var configuration = EdgeConfiguration(dataDirectory: directory)
        configuration.bindHost = "127.0.0.1"
        configuration.hostnames = ["edge.portico.test"]
        configuration.tlsPort = 0
        configuration.httpPort = 0
        configuration.tunnelPort = 0
        configuration.apiPort = 0
        configuration.tcpPortRange = try FreePorts.range(count: 3)
        configuration.drainTimeout = drainTimeout
        configuration.publicSuffixes = .text(EdgeFixture.publicSuffixes)
        configuration.machineName = "test"
        return configuration
    }

    static var quiet: Logger {
        var logger = Logger(label: "test.edge")
        logger.logLevel = .critical
        return logger
    }

    /// Enrolls `name` and connects it as a home that accepts every stream
    /// (telling `opened`) and never ends one.
    static func home(
        _ name: String, at edge: EdgeServices, opened: @escaping @Sendable (WireStreamChannel) -> Void
    ) async throws -> WireSession {
        let group = MultiThreadedEventLoopGroup.singleton
        _ = try await edge.registry.createHome(name: name, now: Date())
        let issued = try await edge.registry.issueJoinToken(home: name, ttl: .seconds(3600), now: Date())
        let token = try JoinToken(
            host: "127.0.0.1", port: UInt16(edge.tunnelPort), id: issued.idBytes, secret: issued.secret,
            caPin: edge.authority.caPin)
        let enrolled = try await EnrollmentClient().enroll(token, group: group)
        let context = try TLSContext(configuration: .client(
            serverName: nil, pin: .certificateInChain(sha256: edge.authority.caPin),
            certificateChain: [enrolled.certificate], privateKey: enrolled.key))
        let promise = group.next().makePromise(of: WireSession.self)
        _ = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context))
                    promise.succeed(try channel.pipeline.syncOperations.addWireSession(role: .dialer) { stream in
                        opened(stream)
                        return stream.eventLoop.makeSucceededVoidFuture()
                    })
                }
            }
            .connect(host: "127.0.0.1", port: edge.tunnelPort).get()
        let session = try await promise.futureResult.get()
        _ = try await session.ready.get()
        return session
    }

    /// The certificate the tunnel port presents to a new connection.
    static func tunnelCertificate(of edge: EdgeServices) async throws -> Certificate {
        let group = MultiThreadedEventLoopGroup.singleton
        let context = try TLSContext(configuration: .client(
            serverName: nil, pin: .certificateInChain(sha256: edge.authority.caPin)))
        let presented = group.next().makePromise(of: Certificate?.self)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandlers(
                        TLSHandler(context: context), PeerCertificateCatcher(presented))
                }
            }
            .connect(host: "127.0.0.1", port: edge.tunnelPort).get()
        defer { channel.close(promise: nil) }
        return try #require(try await presented.futureResult.get())
    }

    static func connect(port: Int) async throws -> Channel {
        try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton).connect(host: "127.0.0.1", port: port).get()
    }
}

/// Tells the peer certificate once the TLS handshake completed (nil if it
/// ended first).
final class PeerCertificateCatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let promise: EventLoopPromise<Certificate?>

    init(_ promise: EventLoopPromise<Certificate?>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSEvent.handshakeCompleted(let info) = event { promise.succeed(info.peerCertificate) }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.succeed(nil)
        context.fireChannelInactive()
    }
}
