import TestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// A real edge for end-to-end tests: CA and registry in a fresh data
/// directory (a real SQLite file), a Public Suffix List with a few known
/// suffixes, and the tunnel listener on 127.0.0.1.
final class EdgeFixture: Sendable {
    /// Enough of the Public Suffix List for the suffix cases the issue names.
    static let publicSuffixes = "com\nco.uk\ngithub.io\n"
    /// Production-like public ports, so addresses carry no port suffix.
    static let publicAddresses = EdgePublicAddresses(hostname: "edge.portico.test", tlsPort: 443, httpPort: 80)

    let directory: URL
    let registry: Registry
    let authority: EdgeAuthority
    let listener: TunnelListener
    let group: MultiThreadedEventLoopGroup

    init(publicAddresses: EdgePublicAddresses = EdgeFixture.publicAddresses) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-enroll-\(UUID().uuidString)")
        group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        authority = try EdgeAuthority.open(directory: directory, hostnames: ["edge.portico.test"], now: Date(), machineName: "test")
        registry = try Registry(dataDirectory: directory, publicSuffixList: PublicSuffixList(text: Self.publicSuffixes))
        listener = try await TunnelListener.bind(
            host: "127.0.0.1", port: 0, group: group, authority: authority, registry: registry,
            publicAddresses: publicAddresses, logger: Logger(label: "test.edge"))
    }

    var port: UInt16 { UInt16(listener.address!.port!) }

    func token(for home: String, ttl: Duration = .seconds(3600), now: Date = Date()) async throws -> JoinToken {
        let issued = try await registry.issueJoinToken(home: home, ttl: ttl, now: now)
        return try JoinToken(host: "127.0.0.1", port: port, id: issued.idBytes, secret: issued.secret, caPin: authority.caPin)
    }

    /// Creates `home` in the registry and enrolls it with a join token, as
    /// `homeagent join` would.
    func enroll(_ home: String) async throws -> EnrollmentClient.Result {
        _ = try await registry.createHome(name: home, now: Date())
        return try await EnrollmentClient().enroll(try await token(for: home), group: group)
    }

    /// Connects as an enrolled home and waits for HELLO.
    func connect(_ home: EnrollmentClient.Result) async throws -> WireSession {
        let session = try await EnrollmentTests.connect(
            edge: self, certificate: home.certificate, key: home.key, ca: home.caCertificate)
        _ = try await session.ready.get()
        return session
    }

    /// Connects as an enrolled home with a control client on the session.
    func connectControl(_ home: EnrollmentClient.Result, timeout: TimeAmount = .seconds(10)) async throws -> (WireSession, EdgeRequestClient) {
        let session = try await connect(home)
        return (session, try await EdgeRequestClient.attach(to: session, timeout: timeout))
    }

    func stop() async throws {
        try await listener.close()
        try registry.close()
        try await group.shutdownGracefully()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Opens a mutual-TLS session to `edge` as the holder of `certificate`.
func connect(edge: EdgeFixture, certificate: Certificate, key: PrivateKey, ca: Certificate) async throws -> WireSession {
    let context = try TLSContext(configuration: .client(
        serverName: nil, pin: .certificateInChain(sha256: edge.authority.caPin),
        certificateChain: [certificate], privateKey: key))
    let promise = edge.group.next().makePromise(of: WireSession.self)
    _ = try await ClientBootstrap(group: edge.group)
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context))
                promise.succeed(try channel.pipeline.syncOperations.addWireSession(role: .dialer) {
                    $0.eventLoop.makeSucceededVoidFuture()
                })
            }
        }
        .connect(host: "127.0.0.1", port: Int(edge.port)).get()
    return try await promise.futureResult.get()
}

/// Records every CONTROL message a session receives and passes it on, so a
/// test can send raw bodies and read the raw answers.
final class ControlRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let continuation: AsyncStream<(ControlKind, ByteBuffer)>.Continuation

    private init(continuation: AsyncStream<(ControlKind, ByteBuffer)>.Continuation) {
        self.continuation = continuation
    }

    /// Adds a recorder at the end of the session's pipeline.
    static func attach(to session: WireSession) async throws -> AsyncStream<(ControlKind, ByteBuffer)> {
        let (stream, continuation) = AsyncStream.makeStream(of: (ControlKind, ByteBuffer).self)
        let channel = session.channel
        try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.addHandler(ControlRecorder(continuation: continuation))
        }.get()
        return stream
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case SessionEvent.control(let kind, let body) = event {
            continuation.yield((ControlKind(rawValue: kind), body))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelInactive(context: ChannelHandlerContext) {
        continuation.finish()
        context.fireChannelInactive()
    }
}
