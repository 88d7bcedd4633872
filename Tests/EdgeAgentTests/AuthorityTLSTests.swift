// Certificates the edge authority issues, checked by someone other than us
// (the openssl CLI), and used for real: a home with only the join token's CA
// pin and its issued certificate gets through the tunnel's TLS; a certificate
// from another edge's authority does not.

import Foundation
import Testing
import Wire
@testable import EdgeAgent

@Suite(.timeLimit(.minutes(1))) struct AuthorityTLSTests {
    static let edgeName = "edge.portico.test"

    /// A home's key and the certificate `authority` issued for it from a CSR.
    static func home(_ authority: EdgeAuthority, name: String = "alice",
                     _ algorithm: PrivateKey.Algorithm = .ed25519) throws -> (key: PrivateKey, certificate: Certificate) {
        let key = try PrivateKey.generate(algorithm)
        let csr = try CertificateSigningRequest(key: key, commonName: "whatever-the-home-asks")
        return (key, try authority.issueHomeCertificate(csr: csr, homeName: name))
    }

    static func homeClient(_ authority: EdgeAuthority, certificate: Certificate, key: PrivateKey) -> TLSConfiguration {
        .client(serverName: edgeName, pin: .certificateInChain(sha256: authority.caPin),
                certificateChain: [certificate], privateKey: key)
    }

    @Test(arguments: PrivateKey.Algorithm.allCases)
    func homeCertificateHasTheHomeNameClientAuthAndVerifiesWithOpenSSL(_ algorithm: PrivateKey.Algorithm) async throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        let now = Date()
        let home = try Self.home(authority, algorithm)
        #expect(home.certificate.subjectCommonName == "alice")
        #expect(home.certificate.issuerCommonName == authority.caCertificate.subjectCommonName)
        #expect(try home.certificate.publicKey == home.key.publicKey)
        #expect(!home.certificate.isCertificateAuthority)
        #expect(abs(home.certificate.notAfter.timeIntervalSince(now) - 365 * 86_400) < 60)
        let homePath = dir.root.appendingPathComponent("home.pem").path
        try home.certificate.pemString.write(toFile: homePath, atomically: true, encoding: .utf8)

        let client = try await authorityRunOpenSSL(["verify", "-CAfile", dir.path("ca.pem"), "-purpose", "sslclient", homePath])
        #expect(client.status == 0, "\(client.output)")
        #expect(client.output.contains("OK"))
        // clientAuth only: the same certificate must not pass as a server.
        let server = try await authorityRunOpenSSL(["verify", "-CAfile", dir.path("ca.pem"), "-purpose", "sslserver", homePath])
        #expect(server.status != 0, "\(server.output)")
        let tunnel = try await authorityRunOpenSSL(["verify", "-CAfile", dir.path("ca.pem"), "-purpose", "sslserver",
                                                    dir.path("tunnel.pem")])
        #expect(tunnel.status == 0, "\(tunnel.output)")
    }

    @Test func csrWithABrokenSignatureIsRefused() throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        let pem = try CertificateSigningRequest(key: .generate(.ed25519), commonName: "x").pemString()
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var der = [UInt8](Data(base64Encoded: body)!)
        der[der.count - 1] ^= 0x01  // inside the signature
        let tampered = "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Data(der).base64EncodedString(options: .lineLength64Characters) + "\n-----END CERTIFICATE REQUEST-----\n"
        let csr = try CertificateSigningRequest(pem: tampered)
        #expect(throws: AuthorityError.invalidRequest("the CSR is not signed by the key it carries")) {
            try authority.issueHomeCertificate(csr: csr, homeName: "alice")
        }
    }

    @Test func invalidHomeNameIsAnInvalidRequest() throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        let csr = try CertificateSigningRequest(key: .generate(.ed25519), commonName: "x")
        let error = #expect(throws: AuthorityError.self) {
            try authority.issueHomeCertificate(csr: csr, homeName: String(repeating: "h", count: 65))
        }
        guard case .invalidRequest? = error else { Issue.record("\(String(describing: error))"); return }
    }

    @Test func homeWithCAPinAndIssuedCertificateCompletesMutualTLS() async throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open(hostnames: [Self.edgeName])
        let home = try Self.home(authority)
        let outcome = try await authorityHandshake(server: authority.serverTLSConfiguration(requireClientCertificate: true),
                                                   client: Self.homeClient(authority, certificate: home.certificate, key: home.key))
        #expect(outcome.serverErrors.isEmpty && outcome.clientErrors.isEmpty)
        let server = try #require(outcome.serverSession)
        #expect(server.peerCertificate == home.certificate)
        #expect(server.peerVerifiedChain.last == authority.caCertificate)
        let client = try #require(outcome.clientSession)
        #expect(client.peerCertificate == authority.tunnelCertificate)
        #expect(client.peerVerifiedChain.last == authority.caCertificate)
    }

    @Test func homeCertificateFromAnotherEdgeAuthorityIsRejected() async throws {
        let dir = try AuthorityTestDirectory()
        let other = try AuthorityTestDirectory()
        let authority = try dir.open()
        let stranger = try Self.home(try other.open(), name: "mallory")
        let outcome = try await authorityHandshake(
            server: authority.serverTLSConfiguration(requireClientCertificate: true),
            client: Self.homeClient(authority, certificate: stranger.certificate, key: stranger.key))
        #expect(outcome.serverSession == nil)
        #expect(outcome.serverErrors.first?.kind == .peerVerificationFailed)
        #expect(outcome.clientErrors.contains { $0.kind == .peerAlert })
    }

    @Test func homeWithoutCertificateIsRejectedWhenOneIsRequired() async throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        let client = TLSConfiguration.client(serverName: Self.edgeName, pin: .certificateInChain(sha256: authority.caPin))
        let outcome = try await authorityHandshake(server: authority.serverTLSConfiguration(requireClientCertificate: true),
                                                   client: client)
        #expect(outcome.serverSession == nil)
        #expect(!outcome.serverErrors.isEmpty)
    }

    @Test func joiningHomeWithOnlyTheCAPinReachesTheEnrollmentListener() async throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        let client = TLSConfiguration.client(serverName: Self.edgeName, pin: .certificateInChain(sha256: authority.caPin))
        let outcome = try await authorityHandshake(server: authority.serverTLSConfiguration(requireClientCertificate: false),
                                                   client: client)
        #expect(outcome.serverSession != nil)
        #expect(outcome.clientSession?.peerVerifiedChain.last == authority.caCertificate)
    }

    @Test func homePinningAnotherEdgeCARefusesThisEdge() async throws {
        let dir = try AuthorityTestDirectory()
        let other = try AuthorityTestDirectory()
        let authority = try dir.open()
        let otherPin = try other.open().caPin
        let client = TLSConfiguration.client(serverName: Self.edgeName, pin: .certificateInChain(sha256: otherPin))
        let outcome = try await authorityHandshake(server: authority.serverTLSConfiguration(requireClientCertificate: false),
                                                   client: client)
        #expect(outcome.clientSession == nil)
        #expect(outcome.clientErrors.first?.kind == .peerVerificationFailed)
    }
}
