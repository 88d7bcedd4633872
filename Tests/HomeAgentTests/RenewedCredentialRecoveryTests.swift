import Foundation
import Testing
import Wire
@testable import HomeAgent

/// `RenewedCredentialFiles.recover` at every point where a crash can
/// interrupt a renewal ([CERT-2]): each test lays out the files that crash
/// leaves, runs recover, and checks exactly which files remain, what they
/// hold, the key's mode, and that the agent's own start-up check
/// (`HomeCredentials.load`) accepts the pair left in place.
@Suite("Recovering an interrupted certificate renewal")
struct RenewedCredentialRecoveryTests {
    typealias F = ConfigFixture

    /// One key and the certificate a CA issued for it.
    struct Pair {
        var key: PrivateKey
        var certificate: Certificate
        var keyPEM: String { (try? key.pemString()) ?? "" }
        var certificatePEM: String { certificate.pemString }
    }

    /// A home directory laid out as `join` leaves it: `home.yaml` naming
    /// `home.key` (0600), `home.pem` and `edge-ca.pem`, for home alice.
    struct Home {
        let directory: String
        let authority: CertificateAuthority
        let current: Pair
        var config: HomeConfig { F.issueConfig }
        var configPath: String { directory + "/home.yaml" }
        var paths: HomeConfig.Paths { config.paths(relativeTo: configPath) }
        var renewKey: String { paths.key + RenewedCredentialFiles.suffix }
        var renewCertificate: String { paths.certificate + RenewedCredentialFiles.suffix }

        init(in directory: String) throws {
            self.directory = directory
            authority = try CertificateAuthority.selfSigned(key: .generate(.ed25519), commonName: "Portico Edge CA", days: 2)
            current = try Self.pair(home: "alice", from: authority)
            try F.writeFile(paths.ca, authority.certificate.pemString, mode: 0o644)
            try F.writeFile(paths.key, current.keyPEM, mode: 0o600)
            try F.writeFile(paths.certificate, current.certificatePEM, mode: 0o644)
        }

        static func pair(home: String, from authority: CertificateAuthority) throws -> Pair {
            let key = try PrivateKey.generate(.ed25519)
            let profile = LeafCertificateProfile(
                commonName: home, notBefore: Date().addingTimeInterval(-60),
                notAfter: Date().addingTimeInterval(86_400), usage: .clientAuth)
            return Pair(key: key, certificate: try authority.issue(for: key.publicKey, profile: profile))
        }

        /// A renewed pair for alice from the same CA, as the edge would issue it.
        func renewed() throws -> Pair { try Self.pair(home: "alice", from: authority) }

        func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }
        var files: Set<String> { Set((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []) }
        var keyMode: Int? { try? FileManager.default.attributesOfItem(atPath: paths.key)[.posixPermissions] as? Int }

        /// Asserts that exactly `home.key`/`home.pem` hold `pair`, the key is
        /// 0600, no `.renew` file is left, and the agent would start with it.
        func expectInPlace(_ pair: Pair, sourceLocation: SourceLocation = #_sourceLocation) throws {
            #expect(files == ["edge-ca.pem", "home.key", "home.pem"], sourceLocation: sourceLocation)
            #expect(try contents(paths.key) == pair.keyPEM, "home.key", sourceLocation: sourceLocation)
            #expect(try contents(paths.certificate) == pair.certificatePEM, "home.pem", sourceLocation: sourceLocation)
            #expect(keyMode == 0o600, sourceLocation: sourceLocation)
            let loaded = try HomeCredentials.load(for: config, configPath: configPath)
            #expect(loaded.certificate.certifies(loaded.key), sourceLocation: sourceLocation)
        }
    }

    @Test("only the .renew key was written: it is deleted and the old pair stays")
    func onlyKeyWritten() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            try F.writeFile(home.renewKey, try home.renewed().keyPEM, mode: 0o600)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("discarded") == true)
            try home.expectInPlace(home.current)
        }
    }

    @Test("both .renew files written, nothing renamed: both are renamed into place")
    func bothWrittenNoneRenamed() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            let renewed = try home.renewed()
            try F.writeFile(home.renewKey, renewed.keyPEM, mode: 0o600)
            try F.writeFile(home.renewCertificate, renewed.certificatePEM, mode: 0o644)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("completed") == true)
            try home.expectInPlace(renewed)
        }
    }

    @Test("the key was renamed but not the certificate: the .renew certificate is renamed into place")
    func keyRenamedCertificateNot() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            let renewed = try home.renewed()
            try F.writeFile(home.paths.key, renewed.keyPEM, mode: 0o600)
            try F.writeFile(home.renewCertificate, renewed.certificatePEM, mode: 0o644)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("key was already in place") == true)
            try home.expectInPlace(renewed)
        }
    }

    @Test("a .renew key and certificate that do not match each other are deleted and the old pair stays")
    func renewFilesDoNotMatch() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            try F.writeFile(home.renewKey, try home.renewed().keyPEM, mode: 0o600)
            try F.writeFile(home.renewCertificate, try home.renewed().certificatePEM, mode: 0o644)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("discarded") == true)
            try home.expectInPlace(home.current)
        }
    }

    @Test("a lone .renew certificate for another key is deleted and the old pair stays")
    func certificateForAnotherKey() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            try F.writeFile(home.renewCertificate, try home.renewed().certificatePEM, mode: 0o644)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("discarded") == true)
            try home.expectInPlace(home.current)
        }
    }

    @Test("a matching .renew pair whose certificate names another home is deleted and this home's pair stays")
    func pairForAnotherHome() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            let bob = try Home.pair(home: "bob", from: home.authority)
            try F.writeFile(home.renewKey, bob.keyPEM, mode: 0o600)
            try F.writeFile(home.renewCertificate, bob.certificatePEM, mode: 0o644)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("discarded") == true)
            try home.expectInPlace(home.current)
        }
    }

    @Test("a matching .renew pair issued by another CA than the one in place is deleted and the old pair stays")
    func pairFromAnotherAuthority() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            let otherCA = try CertificateAuthority.selfSigned(key: .generate(.ed25519), commonName: "Other CA", days: 2)
            let stranger = try Home.pair(home: "alice", from: otherCA)
            try F.writeFile(home.renewKey, stranger.keyPEM, mode: 0o600)
            try F.writeFile(home.renewCertificate, stranger.certificatePEM, mode: 0o644)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("discarded") == true)
            try home.expectInPlace(home.current)
        }
    }

    @Test("a .renew key readable by others ends in place as 0600")
    func keyEndsPrivate() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            let renewed = try home.renewed()
            try F.writeFile(home.renewKey, renewed.keyPEM, mode: 0o644)
            try F.writeFile(home.renewCertificate, renewed.certificatePEM, mode: 0o644)
            try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            try home.expectInPlace(renewed)
        }
    }

    /// A first attempt renamed its key and failed to rename its certificate
    /// (the agent kept running); a second attempt then crashed after writing
    /// only its key. The first attempt's certificate is the only one for the
    /// key in place.
    @Test("a .renew certificate for the key in place is kept even when a later attempt left its .renew key")
    func laterAttemptKeyOverEarlierCertificate() throws {
        try F.withTemporaryDirectory { directory in
            let home = try Home(in: directory)
            let first = try home.renewed()
            try F.writeFile(home.paths.key, first.keyPEM, mode: 0o600)
            try F.writeFile(home.renewCertificate, first.certificatePEM, mode: 0o644)
            try F.writeFile(home.renewKey, try home.renewed().keyPEM, mode: 0o600)
            let done = try RenewedCredentialFiles.recover(paths: home.paths, home: "alice")
            #expect(done?.contains("completed") == true)
            try home.expectInPlace(first)
        }
    }
}
