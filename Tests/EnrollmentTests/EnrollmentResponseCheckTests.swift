import TestSupport
import Foundation
import Testing
import Wire
@testable import HomeAgent

/// The home's checks on ENROLL_RESPONSE: everything in it comes from the
/// edge, so a certificate that does not parse, is not for our key (an RSA
/// one included) or a CA that is not the pinned one is a typed error, never
/// a crash ([ENROLL-4]).
@Suite("ENROLL_RESPONSE checks at home", .timeLimit(.minutes(1)))
struct EnrollmentResponseCheckTests {
    struct Issued {
        var key: PrivateKey
        var ca: CertificateAuthority
        var certificate: Certificate
    }

    static func issued() throws -> Issued {
        let ca = try CertificateAuthority.selfSigned(key: .generate(.ed25519), commonName: "Edge CA", days: 10)
        let key = try PrivateKey.generate(.ed25519)
        let certificate = try ca.issue(for: CertificateSigningRequest(key: key, commonName: "x"),
                                       profile: LeafCertificateProfile(commonName: "alice", days: 1, usage: .clientAuth))
        return Issued(key: key, ca: ca, certificate: certificate)
    }

    static func check(_ response: EnrollResponse, _ issued: Issued, handshakeCA: Certificate? = nil) throws(EnrollmentError) -> EnrollmentClient.Result {
        try EnrollmentClient.result(of: response, key: issued.key, caPin: issued.ca.certificate.fingerprintSHA256,
                                    handshakeCA: handshakeCA)
    }

    static func expectProtocolError(_ response: EnrollResponse, _ issued: Issued, handshakeCA: Certificate? = nil,
                                    containing text: String) {
        do {
            _ = try check(response, issued, handshakeCA: handshakeCA)
            Issue.record("accepted: \(response)")
        } catch {
            guard case .protocolError(let reason) = error else { Issue.record("expected protocolError, got \(error)"); return }
            #expect(reason.contains(text), "\(reason)")
        }
    }

    @Test func aGoodAnswerIsTakenWithTheCAFromTheResponse() throws {
        let issued = try Self.issued()
        let result = try Self.check(EnrollResponse(home: "alice", certificate: issued.certificate.pemString,
                                                   caCertificate: issued.ca.certificate.pemString), issued)
        #expect(result.homeName == "alice")
        #expect(result.caCertificate == issued.ca.certificate)
    }

    @Test("an older edge's answer without ca_certificate falls back to the CA the handshake verified")
    func olderEdgeFallsBackToTheHandshakeCA() throws {
        let issued = try Self.issued()
        let answer = EnrollResponse(home: "alice", certificate: issued.certificate.pemString)
        #expect(try Self.check(answer, issued, handshakeCA: issued.ca.certificate).caCertificate == issued.ca.certificate)
        Self.expectProtocolError(answer, issued, containing: "without the edge CA certificate")
    }

    @Test func damagedOrForeignCertificatesAreProtocolErrors() async throws {
        let issued = try Self.issued()
        let ca = issued.ca.certificate.pemString
        let truncated = String(issued.certificate.pemString.prefix(100))
        Self.expectProtocolError(EnrollResponse(home: "alice", certificate: "garbage", caCertificate: ca), issued,
                                 containing: "does not parse")
        Self.expectProtocolError(EnrollResponse(home: "alice", certificate: truncated, caCertificate: ca), issued,
                                 containing: "does not parse")
        let other = try issued.ca.issue(for: PrivateKey.generate(.p256).publicKey,
                                        profile: LeafCertificateProfile(commonName: "alice", days: 1, usage: .clientAuth))
        Self.expectProtocolError(EnrollResponse(home: "alice", certificate: other.pemString, caCertificate: ca), issued,
                                 containing: "not for our key")
        Self.expectProtocolError(EnrollResponse(home: "alice", certificate: try await Self.rsaCertificate(), caCertificate: ca),
                                 issued, containing: "not for our key")
        Self.expectProtocolError(EnrollResponse(home: "alice", certificate: issued.certificate.pemString,
                                                caCertificate: "garbage"), issued, containing: "does not parse")
        let stranger = try CertificateAuthority.selfSigned(key: .generate(.ed25519), commonName: "Stranger", days: 1)
        Self.expectProtocolError(EnrollResponse(home: "alice", certificate: issued.certificate.pemString,
                                                caCertificate: stranger.certificate.pemString),
                                 issued, containing: "not the one the join token pins")
    }

    @Test func errorCodesMapToTheirOwnErrors() {
        let issued = try? Self.issued()
        guard let issued else { Issue.record("no test PKI"); return }
        #expect(throws: EnrollmentError.tokenUnknown) {
            try Self.check(EnrollResponse(error: ControlError(code: "token_unknown", message: "no")), issued)
        }
        #expect(throws: EnrollmentError.refused("bad form (token_malformed)")) {
            try Self.check(EnrollResponse(error: ControlError(code: "token_malformed", message: "bad form")), issued)
        }
    }

    /// A self-signed RSA certificate from the openssl CLI: a key Portico never issues for.
    static func rsaCertificate() async throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-rsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("rsa.pem").path
        let made = try await AgentRun.tool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.appendingPathComponent("rsa.key").path,
            "-out", path, "-subj", "/CN=alice", "-days", "1",
        ])
        guard made.status == 0 else { throw EdgeServerFailure("openssl req failed: \(made.error)") }
        return try String(contentsOfFile: path, encoding: .utf8)
    }
}
