// Certificates as a peer may send them: damaged PEM and DER, and well-formed
// certificates whose public key Portico cannot use (RSA) or OpenSSL cannot
// decode (a P-256 point that is not on the curve). Every one must be a typed
// error, never a trap: the edge hands a home a certificate at enrollment, and
// TLS peers and ACME servers hand over chains.

import Foundation
import Testing
import TestSupport
import Wire

@Suite(.timeLimit(.minutes(1))) struct CryptoMalformedCertificateTests {
    static func leaf() throws -> (Certificate, PrivateKey) {
        let ca = try CertificateAuthority.selfSigned(key: .generate(.p256), commonName: "CA", days: 1)
        let key = try PrivateKey.generate(.p256)
        let leaf = try ca.issue(for: key.publicKey, profile: LeafCertificateProfile(commonName: "leaf", days: 1, usage: .clientAuth))
        return (leaf, key)
    }

    @Test("damaged PEM is malformedInput", arguments: [
        "",
        "garbage",
        "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ])
    func damagedPEM(_ pem: String) throws {
        let error = #expect(throws: CryptoError.self) { try Certificate(pem: pem) }
        #expect(error?.kind == .malformedInput)
    }

    @Test func truncatedPEMAndDERAreMalformedInput() throws {
        let (leaf, _) = try Self.leaf()
        let pem = leaf.pemString
        for cut in [pem.count / 4, pem.count / 2, pem.count - 30] {
            let error = #expect(throws: CryptoError.self) { try Certificate(pem: String(pem.prefix(cut))) }
            #expect(error?.kind == .malformedInput, "PEM cut at \(cut)")
        }
        for cut in [0, 1, 4, leaf.derBytes.count / 2, leaf.derBytes.count - 1] {
            let error = #expect(throws: CryptoError.self) { try Certificate(der: Array(leaf.derBytes.prefix(cut))) }
            #expect(error?.kind == .malformedInput, "DER cut at \(cut)")
        }
        var random = SeededRandom(seed: 9)
        for _ in 0..<50 {
            let garbage = (0..<Int.random(in: 1...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            #expect(throws: CryptoError.self) { try Certificate(der: [0x30, 0x82] + garbage) }
        }
    }

    @Test("a certificate whose key OpenSSL cannot decode parses, and its key is an error")
    func undecodablePublicKey() throws {
        let (leaf, key) = try Self.leaf()
        // The uncompressed P-256 point (65 bytes, 0x04 || X || Y) ends the SPKI;
        // changing a byte of X leaves a point that is not on the curve.
        let point = Array(key.publicKey.spkiDER.suffix(65))
        let der = leaf.derBytes
        let start = try #require((0...(der.count - point.count)).first { Array(der[$0..<$0 + point.count]) == point })
        var damaged = der
        damaged[start + 10] ^= 0x55
        let certificate = try Certificate(der: damaged)
        #expect(throws: CryptoError.self) { try certificate.publicKey }
        #expect(throws: CryptoError.self) { try certificate.subjectPublicKeyInfoDER() }
        #expect(throws: CryptoError.self) { try certificate.publicKeyPinSHA256 }
        #expect(!certificate.certifies(key))
    }

    @Test("an RSA certificate parses, its key is unsupportedAlgorithm, and it certifies none of our keys")
    func rsaCertificate() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-rsa-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificatePath = directory.appendingPathComponent("rsa.pem").path
        let made = try await AgentRun.tool("/usr/bin/openssl", [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", directory.appendingPathComponent("rsa.key").path,
            "-out", certificatePath, "-subj", "/CN=rsa", "-days", "1",
        ])
        #expect(made.status == 0, "openssl: \(made.error)")
        let certificate = try Certificate(pem: String(contentsOfFile: certificatePath, encoding: .utf8))
        #expect(certificate.subjectCommonName == "rsa")
        let error = #expect(throws: CryptoError.self) { try certificate.publicKey }
        #expect(error?.kind == .unsupportedAlgorithm)
        #expect(try certificate.subjectPublicKeyInfoDER().count > 256)
        #expect(try certificate.publicKeyPinSHA256.count == 32)
        #expect(!certificate.certifies(try PrivateKey.generate(.ed25519)))
    }
}
