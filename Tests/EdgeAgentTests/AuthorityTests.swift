// The edge CA and tunnel identity on disk: what the first start creates and
// with which modes, what later starts load, reissue or refuse.

import Foundation
import Testing
import Wire
@testable import EdgeAgent

@Suite struct AuthorityTests {
    @Test func firstStartCreatesEveryFileWithItsExactMode() throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        #expect(authority.events == [.createdDataDirectory, .createdCertificateAuthority, .createdTunnelKey,
                                     .issuedTunnelCertificate(.missing)])
        #expect(dir.mode(dir.data.path) == 0o700)
        #expect(dir.mode(dir.path("ca.key")) == 0o600)
        #expect(dir.mode(dir.path("tunnel.key")) == 0o600)
        #expect(dir.mode(dir.path("ca.pem")) == 0o644)
        #expect(dir.mode(dir.path("tunnel.pem")) == 0o644)
        let entries = try FileManager.default.contentsOfDirectory(atPath: dir.data.path).sorted()
        #expect(entries == ["ca.key", "ca.pem", "tunnel.key", "tunnel.pem"])  // no temp files left behind
    }

    @Test func caIsAnEd25519TenYearCANamedAfterTheEdge() throws {
        let dir = try AuthorityTestDirectory()
        let now = Date()
        let authority = try dir.open(now: now)
        let ca = authority.caCertificate
        #expect(ca.subjectCommonName == "Portico Edge CA edge.portico.test")
        #expect(ca.isCertificateAuthority)
        #expect(authority.authority.key.algorithm == .ed25519)
        #expect(abs(ca.notAfter.timeIntervalSince(now) - 3650 * 86_400) < 5)
        #expect(authority.caPin == SHA256.hash(ca.derBytes))
        #expect(try Certificate(pem: dir.read("ca.pem")) == ca)
        #expect(try PrivateKey(pem: dir.read("ca.key")).publicKey == ca.publicKey)
    }

    @Test func caFallsBackToTheMachineNameWithoutADNSHostname() throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open(hostnames: ["203.0.113.9"])
        #expect(authority.caCertificate.subjectCommonName == "Portico Edge CA testbox")
        #expect(authority.tunnelNames == ["localhost"])
    }

    @Test func tunnelCertificateNamesTheHostnamesAndLocalhostForOneYear() throws {
        let dir = try AuthorityTestDirectory()
        let now = Date()
        let authority = try EdgeAuthority.open(directory: dir.data, hostnames: ["Edge.Portico.Test", "edge2.portico.test",
                                                                                 "edge.portico.test", "::1"], now: now)
        let tunnel = authority.tunnelCertificate
        #expect(tunnel.dnsNames == ["edge.portico.test", "edge2.portico.test", "localhost"])
        #expect(tunnel.isSigned(by: authority.caCertificate))
        #expect(!tunnel.isCertificateAuthority)
        #expect(try tunnel.publicKey == authority.tunnelKey.publicKey)
        #expect(abs(tunnel.notAfter.timeIntervalSince(now) - 365 * 86_400) < 5)
    }

    @Test func secondStartLoadsTheSameCAAndTunnelPair() throws {
        let dir = try AuthorityTestDirectory()
        let first = try dir.open()
        let second = try dir.open()
        #expect(second.events.isEmpty)
        #expect(second.caPin == first.caPin)
        #expect(second.caCertificate == first.caCertificate)
        #expect(second.tunnelCertificate == first.tunnelCertificate)
        #expect(second.tunnelKey.publicKey == first.tunnelKey.publicKey)
    }

    @Test(arguments: ["ca.key", "tunnel.key"])
    func groupOrWorldReadableKeyIsRefusedWithTheFix(_ file: String) throws {
        let dir = try AuthorityTestDirectory()
        _ = try dir.open()
        dir.chmod(file, 0o644)
        let error = #expect(throws: AuthorityError.self) { try dir.open() }
        #expect(error == .insecurePermissions(path: dir.path(file), mode: 0o644))
        let message = error?.description ?? ""
        #expect(message.contains(dir.path(file)))
        #expect(message.contains("mode 0644"))
        #expect(message.contains("chmod 600 \(dir.path(file))"))
        dir.chmod(file, 0o640)
        #expect(throws: AuthorityError.self) { try dir.open() }
        dir.chmod(file, 0o600)
        #expect(try dir.open().events.isEmpty)
    }

    @Test func caCertificateOfAnotherKeyIsRefused() throws {
        let dir = try AuthorityTestDirectory()
        _ = try dir.open()
        let other = try CertificateAuthority.selfSigned(key: .generate(.ed25519), commonName: "Portico Edge CA x", days: 1)
        try dir.overwrite("ca.pem", other.certificate.pemString)
        let error = #expect(throws: AuthorityError.self) { try dir.open() }
        guard case .inconsistent(let path, let problem, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == dir.path("ca.pem"))
        #expect(problem.contains("does not match the key in ca.key"))
    }

    @Test func tunnelCertificateOfAnotherKeyIsRefused() throws {
        let dir = try AuthorityTestDirectory()
        let authority = try dir.open()
        let stranger = try PrivateKey.generate(.ed25519)
        let profile = LeafCertificateProfile(commonName: "x", dnsNames: authority.tunnelNames, days: 300, usage: .serverAuth)
        try dir.overwrite("tunnel.pem", authority.authority.issue(for: stranger.publicKey, profile: profile).pemString)
        let error = #expect(throws: AuthorityError.self) { try dir.open() }
        guard case .inconsistent(let path, _, let fix)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == dir.path("tunnel.pem"))
        #expect(fix.contains("remove"))
    }

    @Test func caCertificateWithoutItsKeyIsRefused() throws {
        let dir = try AuthorityTestDirectory()
        _ = try dir.open()
        try FileManager.default.removeItem(atPath: dir.path("ca.key"))
        let error = #expect(throws: AuthorityError.self) { try dir.open() }
        guard case .inconsistent(let path, _, let fix)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == dir.path("ca.key"))
        #expect(fix.contains("every home must then join again"))
    }

    @Test func damagedKeyFileIsReportedAsDamaged() throws {
        let dir = try AuthorityTestDirectory()
        _ = try dir.open()
        try dir.overwrite("ca.key", "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n")
        let error = #expect(throws: AuthorityError.self) { try dir.open() }
        guard case .malformed(let path, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == dir.path("ca.key"))
    }

    @Test func tunnelCertificateIsReissuedWhenTheNamesChange() throws {
        let dir = try AuthorityTestDirectory()
        let first = try dir.open(hostnames: ["edge.portico.test"])
        let second = try dir.open(hostnames: ["edge.portico.test", "tunnel.portico.test"])
        #expect(second.events == [.issuedTunnelCertificate(.namesChanged)])
        #expect(second.tunnelCertificate.dnsNames == ["edge.portico.test", "tunnel.portico.test", "localhost"])
        #expect(second.tunnelCertificate != first.tunnelCertificate)
        #expect(second.tunnelKey.publicKey == first.tunnelKey.publicKey)
        #expect(second.caPin == first.caPin)
        #expect(try Certificate(pem: dir.read("tunnel.pem")) == second.tunnelCertificate)
        #expect(try dir.open(hostnames: ["tunnel.portico.test", "edge.portico.test"]).events.isEmpty)  // order is not a change
    }

    @Test func tunnelCertificateIsReissuedWithinThirtyDaysOfExpiry() throws {
        let dir = try AuthorityTestDirectory()
        let now = Date()
        _ = try dir.open(now: now)
        #expect(try dir.open(now: now.addingTimeInterval(330 * 86_400)).events.isEmpty)
        let later = now.addingTimeInterval(340 * 86_400)
        let renewed = try dir.open(now: later)
        #expect(renewed.events == [.issuedTunnelCertificate(.expiring)])
        #expect(renewed.tunnelCertificate.notAfter > later.addingTimeInterval(300 * 86_400))
    }

    @Test func missingTunnelFilesAreRecreatedUnderTheSameCA() throws {
        let dir = try AuthorityTestDirectory()
        let first = try dir.open()
        try FileManager.default.removeItem(atPath: dir.path("tunnel.pem"))
        #expect(try dir.open().events == [.issuedTunnelCertificate(.missing)])
        try FileManager.default.removeItem(atPath: dir.path("tunnel.key"))
        let third = try dir.open()
        #expect(third.events == [.createdTunnelKey, .issuedTunnelCertificate(.missing)])
        #expect(third.caPin == first.caPin)
        #expect(dir.mode(dir.path("tunnel.key")) == 0o600)
    }

    @Test func invalidHostnameIsRefusedBeforeTouchingTheDisk() throws {
        let dir = try AuthorityTestDirectory()
        #expect(throws: AuthorityError.invalidHostname("not a name")) { try dir.open(hostnames: ["not a name"]) }
        #expect(!FileManager.default.fileExists(atPath: dir.data.path))
    }

    @Test func existingDataDirectoryKeepsItsModeAndP256IsAvailable() throws {
        let dir = try AuthorityTestDirectory()
        try FileManager.default.createDirectory(at: dir.data, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o750])
        let authority = try EdgeAuthority.open(directory: dir.data, hostnames: [], keyAlgorithm: .p256)
        #expect(!authority.events.contains(.createdDataDirectory))
        #expect(authority.authority.key.algorithm == .p256)
        #expect(authority.tunnelKey.algorithm == .p256)
        #expect(dir.mode(dir.data.path) == 0o750)
    }
}
