import Foundation
import Wire

/// Writes what enrollment produced: the key (0600, never anywhere else), the
/// home and CA certificates, and the config naming them by relative path, so
/// the directory can be moved as a whole.
enum HomeEnrollmentFiles {
    static let keyFile = "home.key"
    static let certificateFile = "home.pem"
    static let caFile = "edge-ca.pem"

    static func write(_ result: EnrollmentClient.Result, token: JoinToken, configPath: String, forwards: [HomeConfig.Forward]) throws {
        let directory = HomeConfig.directory(of: configPath)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try PrivateFile.write(Array(try result.key.pemString().utf8), to: "\(directory)/\(keyFile)", mode: 0o600)
        try PrivateFile.write(Array(result.certificate.pemString.utf8), to: "\(directory)/\(certificateFile)", mode: 0o644)
        try PrivateFile.write(Array(result.caCertificate.pemString.utf8), to: "\(directory)/\(caFile)", mode: 0o644)
        let config = HomeConfig(
            edge: HomeConfig.Address(host: token.host, port: Int(token.port)),
            home: result.homeName,
            ca: caFile,
            key: keyFile,
            certificate: certificateFile,
            caPin: SHA256.hex(token.caPin),
            forwards: forwards)
        try HomeConfigFile.save(config, to: configPath)
    }
}
