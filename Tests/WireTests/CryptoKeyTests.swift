// Keys and CSRs: generation, PEM round trips, and typed errors for bad input.

import Foundation
import Testing
import Wire

@Suite struct CryptoKeyTests {
    @Test(arguments: PrivateKey.Algorithm.allCases)
    func generatedKeySurvivesPEMRoundTrip(_ algorithm: PrivateKey.Algorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let pem = try key.pemString()
        #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
        let parsed = try PrivateKey(pem: pem)
        #expect(parsed.algorithm == algorithm)
        #expect(parsed.publicKey == key.publicKey)
        #expect(try parsed.pemString() == pem)
    }

    @Test func twoGeneratedKeysDiffer() throws {
        #expect(try PrivateKey.generate(.ed25519).publicKey != PrivateKey.generate(.ed25519).publicKey)
        #expect(try PrivateKey.generate(.p256).publicKey != PrivateKey.generate(.p256).publicKey)
    }

    @Test func publicKeySPKIRoundTripsAndPinIsSHA256() throws {
        let key = try PrivateKey.generate(.p256).publicKey
        let again = try PublicKey(spkiDER: key.spkiDER)
        #expect(again == key)
        #expect(key.pinSHA256.count == 32)
        #expect(key.pinSHA256 == SHA256.hash(key.spkiDER))
    }

    @Test(arguments: PrivateKey.Algorithm.allCases)
    func csrRoundTripsThroughPEMAndVerifies(_ algorithm: PrivateKey.Algorithm) throws {
        let key = try PrivateKey.generate(algorithm)
        let csr = try CertificateSigningRequest(key: key, commonName: "home-bob")
        let pem = try csr.pemString()
        #expect(pem.hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"))
        let parsed = try CertificateSigningRequest(pem: pem)
        #expect(parsed.commonName == "home-bob")
        #expect(try parsed.publicKey() == key.publicKey)
        #expect(parsed.verifySignature())
    }

    @Test func csrWithEmptyCommonNameIsRefused() throws {
        let error = #expect(throws: CryptoError.self) {
            try CertificateSigningRequest(key: PrivateKey.generate(.p256), commonName: "")
        }
        #expect(error?.kind == .invalidArgument)
    }

    @Test func sha256MatchesKnownVector() {
        #expect(SHA256.hex(SHA256.hash(Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    static let badKeyInputs: [String] = [
        "",
        "garbage",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI",  // truncated mid-body, no footer
    ]

    @Test(arguments: badKeyInputs)
    func malformedPrivateKeyPEMThrowsTypedError(_ pem: String) {
        let error = #expect(throws: CryptoError.self) { try PrivateKey(pem: pem) }
        #expect(error?.kind == .malformedInput)
        #expect(error?.message.isEmpty == false)
    }

    @Test func truncatedRealKeyPEMThrowsTypedError() throws {
        let pem = try PrivateKey.generate(.p256).pemString()
        for cut in stride(from: 10, to: pem.count - 5, by: 17) {
            #expect(throws: CryptoError.self) { try PrivateKey(pem: String(pem.prefix(cut))) }
        }
    }

    @Test func malformedCSRThrowsTypedError() throws {
        let pem = try CertificateSigningRequest(key: PrivateKey.generate(.ed25519), commonName: "x").pemString()
        let error = #expect(throws: CryptoError.self) { try CertificateSigningRequest(pem: String(pem.prefix(pem.count / 2))) }
        #expect(error?.kind == .malformedInput)
        #expect(throws: CryptoError.self) { try CertificateSigningRequest(pem: "nope") }
    }

    @Test func malformedSPKIThrowsTypedError() {
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: []) }
        #expect(throws: CryptoError.self) { try PublicKey(spkiDER: [0x30, 0x82, 0xFF, 0xFF, 0x01]) }
    }
}
