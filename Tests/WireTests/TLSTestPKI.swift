// A throwaway PKI for TLS tests: an edge CA with server and client leaves, a
// foreign CA, and expired leaves. Every test builds its own (key generation is
// milliseconds), and can write it out as PEM files for the openssl CLI.

import Foundation
import Wire

struct TLSTestPKI {
    static let serverName = "edge.portico.test"

    let ca: CertificateAuthority
    let serverKey: PrivateKey
    let server: Certificate
    let clientKey: PrivateKey
    let client: Certificate
    let foreignCA: CertificateAuthority
    let foreignClient: Certificate
    let expiredServer: Certificate
    let expiredClient: Certificate

    init(_ algorithm: PrivateKey.Algorithm = .p256) throws {
        let now = Date()
        ca = try .selfSigned(key: .generate(algorithm), commonName: "Portico Test Edge CA", days: 30)
        foreignCA = try .selfSigned(key: .generate(algorithm), commonName: "Someone Else's CA", days: 30)
        serverKey = try .generate(algorithm)
        clientKey = try .generate(algorithm)
        let serverProfile = LeafCertificateProfile(commonName: "edge", dnsNames: [Self.serverName, "localhost"],
                                                   days: 7, usage: .serverAuth)
        let clientProfile = LeafCertificateProfile(commonName: "home-alice", days: 7, usage: .clientAuth)
        server = try ca.issue(for: serverKey.publicKey, profile: serverProfile)
        client = try ca.issue(for: CertificateSigningRequest(key: clientKey, commonName: "home-alice"), profile: clientProfile)
        foreignClient = try foreignCA.issue(for: clientKey.publicKey, profile: clientProfile)
        var expired = serverProfile
        expired.notBefore = now.addingTimeInterval(-10 * 86_400)
        expired.notAfter = now.addingTimeInterval(-86_400)
        expiredServer = try ca.issue(for: serverKey.publicKey, profile: expired)
        var expiredClientProfile = clientProfile
        expiredClientProfile.notBefore = expired.notBefore
        expiredClientProfile.notAfter = expired.notAfter
        expiredClient = try ca.issue(for: clientKey.publicKey, profile: expiredClientProfile)
    }

    /// The server side of the tunnel: demands a client certificate from our CA.
    func serverConfiguration(certificate: Certificate? = nil) -> TLSConfiguration {
        .server(certificateChain: [certificate ?? server], privateKey: serverKey, clientTrustRoots: [ca.certificate])
    }

    /// The home side: verifies the edge by CA and name, presents its own certificate.
    func clientConfiguration(certificate: Certificate? = nil, serverName: String? = TLSTestPKI.serverName) -> TLSConfiguration {
        .client(serverName: serverName, trustRoots: [ca.certificate],
                certificateChain: [certificate ?? client], privateKey: clientKey)
    }

    /// Writes ca.pem, server.pem/.key, client.pem/.key into a fresh temporary directory.
    func writeFiles() throws -> TLSTestDirectory {
        let directory = try TLSTestDirectory()
        try directory.write("ca.pem", ca.certificate.pemString)
        try directory.write("server.pem", server.pemString)
        try directory.write("server.key", serverKey.pemString())
        try directory.write("client.pem", client.pemString)
        try directory.write("client.key", clientKey.pemString())
        return directory
    }
}

/// A temporary directory removed when the value is released.
final class TLSTestDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("portico-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
    }
}
