import Foundation
import Wire

/// The home's key, certificate and the edge CA pin, read from the files its
/// config names. Read up front so that a lost or damaged file is reported by
/// name instead of surfacing later as an opaque TLS failure.
struct HomeCredentials: Sendable {
    var key: PrivateKey
    var certificate: Certificate
    /// SHA-256 of the edge CA certificate: the only trust anchor for the edge.
    var caPin: [UInt8]

    /// Reads the files of `config` (loaded from `configPath`). The pin is the
    /// config's `ca_pin` when present, else the fingerprint of the CA file; if
    /// both exist they must agree, or the CA file was swapped. The certificate
    /// must name the config's home.
    static func load(for config: HomeConfig, configPath: String) throws(EdgeConnectionError) -> HomeCredentials {
        let paths = config.paths(relativeTo: configPath)
        let keyText = try read(field: "key", path: paths.key)
        let key: PrivateKey
        do { key = try PrivateKey(pem: keyText) } catch {
            throw .credentials(field: "key", path: paths.key, reason: "not a PEM private key (\(error))")
        }
        let certificateText = try read(field: "certificate", path: paths.certificate)
        let certificate: Certificate
        do { certificate = try Certificate(pem: certificateText) } catch {
            throw .credentials(field: "certificate", path: paths.certificate, reason: "not a PEM certificate (\(error))")
        }
        guard certificate.certifies(key) else {
            throw .credentials(field: "certificate", path: paths.certificate, reason: "it is not for the key in \(paths.key)")
        }
        // The edge issues CN = the home's name ([ENROLL-3]). Another name means
        // the files are another home's: connecting would act as that home.
        guard certificate.subjectCommonName == config.home else {
            throw .identityMismatch(home: config.home, certificateHome: certificate.subjectCommonName ?? "",
                                    path: paths.certificate, configPath: configPath)
        }
        let caText = try read(field: "ca", path: paths.ca)
        let ca: Certificate
        do { ca = try Certificate(pem: caText) } catch {
            throw .credentials(field: "ca", path: paths.ca, reason: "not a PEM certificate (\(error))")
        }
        let caPin = ca.fingerprintSHA256
        if let configured = config.caPin, configured.lowercased() != SHA256.hex(caPin) {
            throw .credentials(field: "ca", path: paths.ca, reason: "its SHA-256 does not match ca_pin in the config")
        }
        return HomeCredentials(key: key, certificate: certificate, caPin: caPin)
    }

    private static func read(field: String, path: String) throws(EdgeConnectionError) -> String {
        let bytes: [UInt8]
        do throws(PrivateFile.Failure) {
            bytes = try PrivateFile.read(path, maximumSize: 1 << 20, requirePrivate: false)
        } catch {
            let reason = switch error {
            case .notFound: "no such file"
            case .notARegularFile: "not a regular file"
            case .insecurePermissions: "accessible by group or others"
            case .tooLarge(_, let size): "\(size) bytes is too large for a PEM file"
            case .io(_, let operation, let reason): "cannot \(operation) it: \(reason)"
            }
            throw .credentials(field: field, path: path, reason: reason)
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .credentials(field: field, path: path, reason: "not text")
        }
        return text
    }
}
