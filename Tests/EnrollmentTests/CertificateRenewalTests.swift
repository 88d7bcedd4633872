import TestSupport
import Foundation
import NIOCore
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// RENEW_REQUEST / RENEW_RESPONSE ([CERT-2]) against a real edge with a real
/// registry: the renewed certificate is admitted alongside the old one until
/// its first use, which retires the old one.
@Suite("Certificate renewal over the session", .timeLimit(.minutes(1)))
struct CertificateRenewalTests {
    /// A CSR for a fresh Ed25519 key, and the key.
    static func request() throws -> (PrivateKey, String) {
        let key = try PrivateKey.generate(.ed25519)
        return (key, try CertificateSigningRequest(key: key, commonName: "whoever").pemString())
    }

    @Test("a renewed certificate names the session's home, is pending until first use, which retires the old one")
    func renewThenPromote() async throws {
        let edge = try await EdgeFixture()
        let alice = try await edge.enroll("alice")
        let (session, control) = try await edge.connectControl(alice)
        let (key, csr) = try Self.request()
        let response = try await control.renewCertificate(csr: csr)
        #expect(response.error == nil)
        let renewed = try CertificateRenewal.check(
            response, key: key, home: "alice", caPin: edge.authority.caPin, caPath: "ca.pem")
        #expect(renewed != alice.certificate)
        #expect(renewed.notAfter.timeIntervalSince(renewed.notBefore) > 364 * 86_400)
        let oldPrint = SHA256.hex(alice.certificate.fingerprintSHA256)
        let newPrint = SHA256.hex(renewed.fingerprintSHA256)
        var home = try #require(try await edge.registry.home(named: "alice"))
        #expect(home.certificateSHA256 == oldPrint && home.pendingCertificateSHA256 == newPrint)
        #expect(try await edge.registry.auditLog().first?.action == "home.certificate.renew")
        // The session that asked continues.
        #expect(try await control.listDomains().domains == [])

        // Lost answer: the old certificate is still admitted while the new one is pending.
        let again = try await edge.connect(alice)
        try? await again.channel.close()
        #expect(try await edge.registry.home(named: "alice")?.pendingCertificateSHA256 == newPrint)

        // First use of the new one promotes it...
        var renewedHome = alice
        renewedHome.key = key
        renewedHome.certificate = renewed
        let fresh = try await edge.connect(renewedHome)
        home = try #require(try await edge.registry.home(named: "alice"))
        #expect(home.certificateSHA256 == newPrint && home.pendingCertificateSHA256 == nil)
        #expect(try await edge.registry.auditLog().first?.action == "home.certificate.promote")
        // ...and the old one is refused from then on.
        await #expect(throws: (any Error).self) { try await edge.connect(alice) }
        // Each connection took the previous one's place at the edge, which closed it.
        try? await fresh.channel.close()
        try? await session.channel.close()
        try await edge.stop()
    }

    @Test("a second renewal within the hour is refused with renewal_too_soon and signs nothing")
    func rateLimited() async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        #expect(try await control.renewCertificate(csr: try Self.request().1).error == nil)
        let pending = try await edge.registry.home(named: "alice")?.pendingCertificateSHA256
        let audit = try await edge.registry.auditLog()
        let second = try await control.renewCertificate(csr: try Self.request().1)
        #expect(second.error?.code == "renewal_too_soon")
        #expect(second.certificate == nil)
        #expect(second.error?.message.contains("less than an hour ago") == true)
        #expect(try await edge.registry.home(named: "alice")?.pendingCertificateSHA256 == pending)
        #expect(try await edge.registry.auditLog() == audit)
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("a CSR that is not PEM, one whose DER does not parse and one for a P-384 key get csr_invalid and change nothing",
          arguments: ["not a csr", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", "p384"])
    func invalidCSR(_ csr: String) async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        let before = try await edge.registry.home(named: "alice")
        let audit = try await edge.registry.auditLog()
        var text = csr
        if csr == "p384" {
            text = try await EnrollmentRequestFormTests.openSSLRequest(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"])
        }
        let response = try await control.renewCertificate(csr: text)
        #expect(response.error?.code == "csr_invalid")
        #expect(response.certificate == nil)
        #expect(try await edge.registry.home(named: "alice") == before)
        #expect(try await edge.registry.auditLog() == audit)
        // Not rate-limited by a refusal: a valid request still succeeds.
        #expect(try await control.renewCertificate(csr: try Self.request().1).error == nil)
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("a body that is not a RENEW_REQUEST is answered malformed with its request_id")
    func malformedBody() async throws {
        let edge = try await EdgeFixture()
        let session = try await edge.connect(try await edge.enroll("alice"))
        let answers = try await ControlRecorder.attach(to: session)
        try await session.sendControl(kind: ControlKind.renewRequest.rawValue, body: ByteBuffer(string: #"{"request_id":9}"#)).get()
        var iterator = answers.makeAsyncIterator()
        let (kind, body) = try #require(await iterator.next())
        #expect(kind == .renewResponse)
        guard case .renewResponse(let response)? = try ControlMessage.decode(kind: kind, body: body) else {
            Issue.record("not a RENEW_RESPONSE")
            return
        }
        #expect(response.requestID == 9 && response.error?.code == "malformed")
        #expect(try await edge.registry.home(named: "alice")?.pendingCertificateSHA256 == nil)
        try await session.channel.close()
        try await edge.stop()
    }
}
