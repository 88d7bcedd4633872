// Certificates and the CA: what gets issued, how it parses, and that the
// openssl CLI agrees it verifies.

import Foundation
import Testing
import Wire

@Suite(.timeLimit(.minutes(1))) struct CryptoCertificateTests {
    @Test(arguments: PrivateKey.Algorithm.allCases)
    func issuedLeafCarriesProfileAndVerifiesAgainstCA(_ algorithm: PrivateKey.Algorithm) throws {
        let ca = try CertificateAuthority.selfSigned(key: .generate(algorithm), commonName: "Test CA", days: 10)
        let key = try PrivateKey.generate(algorithm)
        let notBefore = Date(timeIntervalSince1970: 1_700_000_000)
        let notAfter = Date(timeIntervalSince1970: 1_900_000_000)
        let profile = LeafCertificateProfile(commonName: "edge", dnsNames: ["edge.example", "*.homes.example"],
                                             notBefore: notBefore, notAfter: notAfter, usage: [.serverAuth, .clientAuth])
        let leaf = try ca.issue(for: CertificateSigningRequest(key: key, commonName: "ignored"), profile: profile)
        #expect(leaf.subjectCommonName == "edge")
        #expect(leaf.issuerCommonName == "Test CA")
        #expect(leaf.dnsNames == ["edge.example", "*.homes.example"])
        #expect(leaf.notBefore == notBefore)
        #expect(leaf.notAfter == notAfter)
        #expect(!leaf.isCertificateAuthority)
        #expect(ca.certificate.isCertificateAuthority)
        #expect(leaf.isSigned(by: ca.certificate))
        #expect(try leaf.publicKey == key.publicKey)
        #expect(try leaf.publicKeyPinSHA256 == key.publicKey.pinSHA256)
        #expect(leaf.fingerprintSHA256 == SHA256.hash(leaf.derBytes))
        #expect(!leaf.serialNumberHex.isEmpty)
    }

    @Test func serialsAreRandom() throws {
        let ca = try CertificateAuthority.selfSigned(key: .generate(.ed25519), commonName: "CA", days: 1)
        let key = try PrivateKey.generate(.ed25519).publicKey
        let profile = LeafCertificateProfile(commonName: "a", days: 1, usage: .clientAuth)
        let serials = try (0..<5).map { _ in try ca.issue(for: key, profile: profile).serialNumberHex }
        #expect(Set(serials).count == 5)
    }

    @Test func foreignCADidNotSignLeaf() throws {
        let pki = try TLSTestPKI(.ed25519)
        #expect(pki.client.isSigned(by: pki.ca.certificate))
        #expect(!pki.client.isSigned(by: pki.foreignCA.certificate))
        #expect(pki.foreignClient.isSigned(by: pki.foreignCA.certificate))
    }

    @Test func certificateRoundTripsThroughPEMAndDER() throws {
        let pki = try TLSTestPKI()
        let fromPEM = try Certificate(pem: pki.server.pemString)
        let fromDER = try Certificate(der: pki.server.derBytes)
        #expect(fromPEM == pki.server)
        #expect(fromDER == pki.server)
        let chain = try Certificate.chain(pem: pki.server.pemString + pki.ca.certificate.pemString)
        #expect(chain == [pki.server, pki.ca.certificate])
    }

    @Test func openSSLCLIAgreesIssuedCertificatesVerify() async throws {
        let pki = try TLSTestPKI(.ed25519)
        let files = try pki.writeFiles()
        try files.write("foreign.pem", pki.foreignClient.pemString)
        try files.write("expired.pem", pki.expiredServer.pemString)
        func verify(_ leaf: String) async throws -> (Int32?, String) {
            let cli = try TLSTestProcess(["verify", "-CAfile", files.path("ca.pem"), files.path(leaf)])
            let status = try await cli.waitForExit()
            return (status, cli.stdoutText + cli.stderrText)
        }
        let server = try await verify("server.pem")
        #expect(server.0 == 0, "\(server.1)")
        let client = try await verify("client.pem")
        #expect(client.0 == 0, "\(client.1)")
        let foreign = try await verify("foreign.pem")
        #expect(foreign.0 != 0)
        let expired = try await verify("expired.pem")
        #expect(expired.0 != 0)
        #expect(expired.1.contains("expired"))
    }

    @Test(arguments: PrivateKey.Algorithm.allCases)
    func csrWithBrokenSignatureIsRefused(_ algorithm: PrivateKey.Algorithm) throws {
        let ca = try CertificateAuthority.selfSigned(key: .generate(algorithm), commonName: "CA", days: 1)
        let pem = try CertificateSigningRequest(key: .generate(algorithm), commonName: "x").pemString()
        // Flip a bit in the last byte, which lies inside the signature.
        let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        var der = [UInt8](Data(base64Encoded: body)!)
        der[der.count - 1] ^= 0x01
        let tampered = "-----BEGIN CERTIFICATE REQUEST-----\n"
            + Data(der).base64EncodedString(options: .lineLength64Characters)
            + "\n-----END CERTIFICATE REQUEST-----\n"
        let csr = try CertificateSigningRequest(pem: tampered)
        #expect(!csr.verifySignature())
        let profile = LeafCertificateProfile(commonName: "x", days: 1, usage: .clientAuth)
        let error = #expect(throws: CryptoError.self) { try ca.issue(for: csr, profile: profile) }
        #expect(error?.kind == .invalidSignature)
    }

    @Test func reversedValidityIsRefused() throws {
        let ca = try CertificateAuthority.selfSigned(key: .generate(.p256), commonName: "CA", days: 1)
        let now = Date()
        let profile = LeafCertificateProfile(commonName: "x", notBefore: now, notAfter: now.addingTimeInterval(-1),
                                             usage: .serverAuth)
        let error = #expect(throws: CryptoError.self) { try ca.issue(for: PrivateKey.generate(.p256).publicKey, profile: profile) }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func caWithMismatchedKeyIsRefused() throws {
        let ca = try CertificateAuthority.selfSigned(key: .generate(.p256), commonName: "CA", days: 1)
        let error = #expect(throws: CryptoError.self) {
            try CertificateAuthority(certificate: ca.certificate, key: PrivateKey.generate(.p256))
        }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func malformedCertificateInputThrowsTypedError() throws {
        let pem = try TLSTestPKI().server.pemString
        let inputs = ["", "hello", String(pem.prefix(pem.count / 2)), String(pem.dropLast(40)),
                      pem.replacingOccurrences(of: "M", with: "!")]
        for input in inputs {
            let error = #expect(throws: CryptoError.self) { try Certificate(pem: input) }
            #expect(error?.kind == .malformedInput)
        }
        let der = try TLSTestPKI().server.derBytes
        #expect(throws: CryptoError.self) { try Certificate(der: Array(der.prefix(der.count - 1))) }
        #expect(throws: CryptoError.self) { try Certificate(der: der + [0]) }
        #expect(throws: CryptoError.self) { try Certificate(der: []) }
    }
}
