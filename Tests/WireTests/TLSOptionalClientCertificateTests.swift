// The tunnel port's mode for homes that are still enrolling: a client
// certificate is asked for and verified when presented, but not required.

import NIOCore
import Testing
import Wire

@Suite(.timeLimit(.minutes(1))) struct TLSOptionalClientCertificateTests {
    func optionalServer(_ pki: TLSTestPKI) -> TLSConfiguration {
        .server(certificateChain: [pki.server], privateKey: pki.serverKey,
                clientTrustRoots: [pki.ca.certificate], clientCertificateOptional: true)
    }

    @Test func clientWithoutCertificateIsLetThroughWithNoPeerCertificate() async throws {
        let pki = try TLSTestPKI()
        let client = TLSConfiguration.client(serverName: TLSTestPKI.serverName, trustRoots: [pki.ca.certificate])
        let outcome = try await tlsTestConnect(server: optionalServer(pki), client: client)
        #expect(outcome.echoed == "ping")
        let server = try #require(outcome.server.session)
        #expect(server.peerCertificate == nil)
    }

    @Test func presentedCertificateIsVerifiedAndReported() async throws {
        let pki = try TLSTestPKI()
        let outcome = try await tlsTestConnect(server: optionalServer(pki), client: pki.clientConfiguration())
        #expect(outcome.echoed == "ping")
        #expect(outcome.server.session?.peerCertificate?.subjectCommonName == "home-alice")
    }

    @Test func presentedForeignCertificateIsStillRejected() async throws {
        let pki = try TLSTestPKI()
        let outcome = try await tlsTestConnect(server: optionalServer(pki),
                                               client: pki.clientConfiguration(certificate: pki.foreignClient))
        #expect(outcome.echoed == nil)
        #expect(outcome.server.tlsErrors.first?.kind == .peerVerificationFailed)
    }
}
