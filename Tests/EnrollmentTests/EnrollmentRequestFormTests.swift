import TestSupport
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// What the edge answers to an ENROLL_REQUEST as a home written from the
/// spec might send it, and what it does around it on the enrolling session:
/// [ENROLL-2], [ENROLL-3], [ENROLL-5], [ENROLL-6], [ENROLL-4]'s CA field.
@Suite("Enrollment requests, form and session", .timeLimit(.minutes(1)))
struct EnrollmentRequestFormTests {
    /// A CSR made by the openssl CLI for a key type Portico does not generate.
    static func openSSLRequest(_ keyArguments: [String]) async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-csr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("request.pem").path
        let made = try await AgentRun.tool("/usr/bin/openssl", ["req", "-new", "-nodes", "-subj", "/CN=home"]
            + keyArguments + ["-keyout", directory.appendingPathComponent("request.key").path, "-out", path])
        guard made.status == 0 else { throw EdgeServerFailure("openssl req failed: \(made.error)") }
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func request(_ token: JoinToken, secret: String? = nil, csr: String? = nil) throws -> EnrollRequest {
        let key = try PrivateKey.generate(.ed25519)
        return EnrollRequest(tokenID: token.idHex, secret: secret ?? Base64URL.encode(token.secret),
                             csr: try csr ?? CertificateSigningRequest(key: key, commonName: "home").pemString())
    }

    @Test("a padded or otherwise misshapen secret is token_malformed, not token_unknown, and spends nothing")
    func malformedSecret() async throws {
        let edge = try await EdgeFixture()
        _ = try await edge.registry.createHome(name: "alice", now: Date())
        let token = try await edge.token(for: "alice")
        let service = EnrollmentService(registry: edge.registry, authority: edge.authority)
        let unpadded = Base64URL.encode(token.secret)
        let standard = Data(token.secret).base64EncodedString()
        // Padded base64url, standard base64 (always padded for 32 bytes), and a 16-byte secret.
        for secret in [unpadded + "=", standard, Base64URL.encode(Array(token.secret.prefix(16)))] {
            let response = await service.enroll(try Self.request(token, secret: secret))
            #expect(response.error?.code == "token_malformed", "secret \(secret): \(response)")
        }
        let shortID = EnrollRequest(tokenID: "abc", secret: unpadded, csr: try Self.request(token).csr)
        #expect(await service.enroll(shortID).error?.code == "token_malformed")
        // A wrong secret in the right form is still token_unknown.
        let wrong = Base64URL.encode(Array(repeating: 7, count: 32))
        #expect(await service.enroll(try Self.request(token, secret: wrong)).error?.code == "token_unknown")
        // None of it spent the token.
        let response = await service.enroll(try Self.request(token))
        #expect(response.home == "alice", "\(response)")
        try await edge.stop()
    }

    @Test("RSA and P-384 CSRs are csr_invalid and leave the token unspent", arguments: [
        ["-newkey", "rsa:2048"],
        ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"],
    ])
    func unsupportedKeyTypes(_ keyArguments: [String]) async throws {
        let edge = try await EdgeFixture()
        _ = try await edge.registry.createHome(name: "alice", now: Date())
        let token = try await edge.token(for: "alice")
        let service = EnrollmentService(registry: edge.registry, authority: edge.authority)
        let response = await service.enroll(try Self.request(token, csr: try await Self.openSSLRequest(keyArguments)))
        #expect(response.error?.code == "csr_invalid", "\(response)")
        #expect(response.error?.message.contains("Ed25519 and P-256") == true)
        #expect(await service.enroll(try Self.request(token)).home == "alice")
        try await edge.stop()
    }

    @Test("an unknown CONTROL kind is ignored on an enrolling session; the answer carries the pinned CA, then GOAWAY NO_ERROR")
    func unknownKindIgnoredAndCACarried() async throws {
        let edge = try await EdgeFixture()
        _ = try await edge.registry.createHome(name: "alice", now: Date())
        let token = try await edge.token(for: "alice")
        let peer = try await EnrollingPeer.open(edge)
        try await peer.session.sendControl(kind: 0x7777, body: ByteBuffer(string: "{}")).get()
        try await peer.session.send(.enrollRequest(try Self.request(token))).get()
        #expect(try await eventually { peer.recorder.goAway != nil })
        let response = try #require(peer.recorder.enrollResponse)
        #expect(response.home == "alice")
        let ca = try Certificate(pem: try #require(response.caCertificate))
        #expect(ca.fingerprintSHA256 == token.caPin)
        #expect(peer.recorder.goAway == .noError)
        try await peer.session.channel.closeFuture.get()
        try await edge.stop()
    }

    @Test("a known kind other than ENROLL_REQUEST ends the enrolling session with PROTOCOL_ERROR")
    func knownKindIsAProtocolError() async throws {
        let edge = try await EdgeFixture()
        let peer = try await EnrollingPeer.open(edge)
        try await peer.session.send(.forwardsSync(ForwardsSync(forwards: []))).get()
        #expect(try await eventually { peer.recorder.goAway != nil })
        #expect(peer.recorder.goAway == .protocolError)
        try await edge.stop()
    }

    @Test("an enrolling session that sends nothing gets GOAWAY TIMEOUT, then is closed", .timeLimit(.minutes(1)))
    func silentEnrollmentTimesOut() async throws {
        let edge = try await EdgeFixture()
        let peer = try await EnrollingPeer.open(edge)
        // The edge waits 10 s; the deadline only bounds a hang.
        #expect(try await eventually(timeout: .seconds(40)) { peer.recorder.goAway != nil })
        #expect(peer.recorder.goAway == .timeout)
        #expect(try await eventually(timeout: .seconds(20)) { !peer.session.channel.isActive })
        try await edge.stop()
    }
}

/// A home's enrolling connection built from the spec's pieces: TLS pinned
/// to the edge CA with no client certificate, HELLO, and a record of the
/// ENROLL_RESPONSE and GOAWAY the edge sends.
struct EnrollingPeer {
    let session: WireSession
    let recorder: EnrollmentEventRecorder

    static func open(_ edge: EdgeFixture) async throws -> EnrollingPeer {
        let context = try TLSContext(configuration: .client(
            serverName: nil, pin: .certificateInChain(sha256: edge.authority.caPin)))
        let recorder = EnrollmentEventRecorder()
        let promise = edge.group.next().makePromise(of: WireSession.self)
        _ = try await ClientBootstrap(group: edge.group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(TLSHandler(context: context))
                    promise.succeed(try channel.pipeline.syncOperations.addWireSession(role: .dialer) {
                        $0.eventLoop.makeFailedFuture(WireStreamRefusal(.refusedStream))
                    })
                    try channel.pipeline.syncOperations.addHandler(recorder)
                }
            }
            .connect(host: "127.0.0.1", port: Int(edge.port)).get()
        let session = try await promise.futureResult.get()
        _ = try await session.ready.get()
        return EnrollingPeer(session: session, recorder: recorder)
    }
}

/// Keeps the ENROLL_RESPONSE and the GOAWAY code a session receives.
final class EnrollmentEventRecorder: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let state = Mutex<(response: EnrollResponse?, goAway: WireErrorCode?)>((nil, nil))

    var enrollResponse: EnrollResponse? { state.withLock { $0.response } }
    var goAway: WireErrorCode? { state.withLock { $0.goAway } }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case SessionEvent.control(let kind, let body):
            if case .enrollResponse(let response)? = try? ControlMessage.decode(kind: ControlKind(rawValue: kind), body: body) {
                state.withLock { $0.response = response }
            }
        case SessionEvent.goAway(let code, _):
            state.withLock { if $0.goAway == nil { $0.goAway = code } }
        default:
            break
        }
        context.fireUserInboundEventTriggered(event)
    }
}
