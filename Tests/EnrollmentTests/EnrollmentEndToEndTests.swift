import TestSupport
import Foundation
import Logging
import NIOCore
import NIOPosix
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// Enrollment across the real pieces: an edge with its CA and registry in a
/// fresh data directory (real SQLite file), its tunnel listener on
/// 127.0.0.1, and the home's enrollment client over our TLS.
@Suite("Enrollment end to end", .timeLimit(.minutes(1)))
struct EnrollmentEndToEndTests {
    typealias Edge = EdgeFixture

    @Test("a home enrolls with a join token, then connects by certificate and is admitted")
    func enrollThenConnect() async throws {
        let edge = try await Edge()
        _ = try await edge.registry.createHome(name: "alice", now: Date())
        let token = try await edge.token(for: "alice")
        let result = try await EnrollmentClient().enroll(token, group: edge.group)
        #expect(result.homeName == "alice")
        #expect(result.caCertificate == edge.authority.caCertificate)
        #expect(result.certificate.subjectCommonName == "alice")
        let home = try #require(try await edge.registry.home(named: "alice"))
        #expect(home.state == .active)
        #expect(home.certificateSHA256 == SHA256.hex(result.certificate.fingerprintSHA256))

        // The enrolled home now connects with mutual TLS and gets a session.
        let session = try await connect(edge: edge, certificate: result.certificate, key: result.key, ca: result.caCertificate)
        _ = try await session.ready.get()
        #expect(try await eventually { edge.listener.sessions.session(for: "alice") != nil })
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("a used, an expired and an unknown token each get their own error; a wrong pin sends nothing")
    func refusals() async throws {
        let edge = try await Edge()
        _ = try await edge.registry.createHome(name: "bob", now: Date())
        let token = try await edge.token(for: "bob")
        _ = try await EnrollmentClient().enroll(token, group: edge.group)
        await #expect(throws: EnrollmentError.tokenUsed) { try await EnrollmentClient().enroll(token, group: edge.group) }

        let expired = try await edge.token(for: "bob", ttl: .seconds(1), now: Date().addingTimeInterval(-60))
        await #expect(throws: EnrollmentError.tokenExpired) { try await EnrollmentClient().enroll(expired, group: edge.group) }

        let unknown = try JoinToken(host: "127.0.0.1", port: edge.port, id: Array(repeating: 7, count: 16),
                                    secret: Array(repeating: 9, count: 32), caPin: edge.authority.caPin)
        await #expect(throws: EnrollmentError.tokenUnknown) { try await EnrollmentClient().enroll(unknown, group: edge.group) }

        let fresh = try await edge.token(for: "bob")
        let wrongPin = try JoinToken(host: "127.0.0.1", port: edge.port, id: fresh.id, secret: fresh.secret,
                                     caPin: Array(repeating: 1, count: 32))
        do {
            _ = try await EnrollmentClient().enroll(wrongPin, group: edge.group)
            Issue.record("enrollment with a wrong pin succeeded")
        } catch {
            guard case .pinMismatch = error else { Issue.record("expected pinMismatch, got \(error)"); return }
        }
        // The token was never presented, so it still works.
        _ = try await EnrollmentClient().enroll(fresh, group: edge.group)
        try await edge.stop()
    }

    @Test("an unreachable edge is reported as such")
    func unreachable() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let token = try JoinToken(host: "127.0.0.1", port: 1, id: Array(repeating: 1, count: 16),
                                  secret: Array(repeating: 2, count: 32), caPin: Array(repeating: 3, count: 32))
        do {
            _ = try await EnrollmentClient().enroll(token, group: group)
            Issue.record("enrollment against a closed port succeeded")
        } catch {
            guard case .unreachable = error else { Issue.record("expected unreachable, got \(error)"); return }
        }
        try await group.shutdownGracefully()
    }

    @Test("a deleted home's certificate is refused at the tunnel")
    func deletedHomeIsRefused() async throws {
        let edge = try await Edge()
        _ = try await edge.registry.createHome(name: "carol", now: Date())
        let result = try await EnrollmentClient().enroll(try await edge.token(for: "carol"), group: edge.group)
        try await edge.registry.deleteHome(named: "carol", now: Date())
        let session = try await connect(edge: edge, certificate: result.certificate, key: result.key, ca: result.caCertificate)
        await #expect(throws: (any Error).self) { try await session.ready.get() }
        try await session.channel.closeFuture.get()
        #expect(edge.listener.sessions.session(for: "carol") == nil)
        try await edge.stop()
    }
}
