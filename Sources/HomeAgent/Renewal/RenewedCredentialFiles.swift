#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Wire

/// Puts a renewed key and certificate in place of the old pair so that no
/// crash ever leaves a key without its certificate ([CERT-2]): both are
/// first written in full next to the old ones as `<key>.renew` and
/// `<certificate>.renew` (each itself written atomically, the key 0600),
/// then renamed over them, key first. `recover` finishes an interrupted
/// replacement at start: until the last rename, the old pair or the
/// `.renew` pair is complete.
enum RenewedCredentialFiles {
    static let suffix = ".renew"

    static func install(key: PrivateKey, certificate: Certificate, paths: HomeConfig.Paths) throws(CertificateRenewalError) {
        let keyText: String
        do { keyText = try key.pemString() } catch { throw .files("cannot encode the new key: \(error)") }
        do throws(PrivateFile.Failure) {
            try PrivateFile.write(Array(keyText.utf8), to: paths.key + suffix, mode: 0o600)
            try PrivateFile.write(Array(certificate.pemString.utf8), to: paths.certificate + suffix, mode: 0o644)
        } catch {
            unlink(paths.key + suffix)
            unlink(paths.certificate + suffix)
            throw .files("cannot write the renewed credentials next to \(paths.key): \(error)")
        }
        try move(paths.key + suffix, to: paths.key)
        try move(paths.certificate + suffix, to: paths.certificate)
    }

    /// Completes or discards a replacement a crash interrupted; returns what
    /// it did, for the log (nil when there was nothing to do). Whatever it
    /// finds, it leaves a key with its certificate: a `.renew` certificate
    /// for the key already in place is that key's only certificate and is
    /// always kept, even when a later attempt left its own `.renew` key; a
    /// `.renew` pair replaces the old one only if it is whole, names `home`
    /// and is issued by the CA in place (leftovers of another home's or
    /// another edge's renewal would replace a working pair with one the
    /// agent refuses or the edge does not know); the key ends 0600.
    @discardableResult
    static func recover(paths: HomeConfig.Paths, home: String) throws(CertificateRenewalError) -> String? {
        let newKey = paths.key + suffix
        let newCertificate = paths.certificate + suffix
        let keyExists = FileManager.default.fileExists(atPath: newKey)
        let certificateExists = FileManager.default.fileExists(atPath: newCertificate)
        guard keyExists || certificateExists else { return nil }
        let certificate = certificateExists ? readCertificate(newCertificate) : nil
        if let certificate, let key = readKey(paths.key), certificate.certifies(key) {
            unlink(newKey)
            try move(newCertificate, to: paths.certificate)
            return "completed an interrupted certificate renewal (the key was already in place)"
        }
        if let certificate, keyExists, let key = readKey(newKey), certificate.certifies(key),
            certificate.subjectCommonName == home, let ca = readCertificate(paths.ca), certificate.isSigned(by: ca)
        {
            guard chmod(newKey, 0o600) == 0 else {
                throw .files("cannot make \(newKey) private (0600): \(String(cString: strerror(errno)))")
            }
            try move(newKey, to: paths.key)
            try move(newCertificate, to: paths.certificate)
            return "completed an interrupted certificate renewal"
        }
        // Written only in part, or not this home's: the old pair is still whole and in place.
        unlink(newKey)
        unlink(newCertificate)
        return "discarded an incomplete certificate renewal; the previous certificate stays"
    }

    private static func move(_ source: String, to destination: String) throws(CertificateRenewalError) {
        guard rename(source, destination) == 0 else {
            throw .files("cannot rename \(source) to \(destination): \(String(cString: strerror(errno)))")
        }
        let directory = (destination as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if descriptor >= 0 {
            _ = fsync(descriptor)
            close(descriptor)
        }
    }

    private static func readKey(_ path: String) -> PrivateKey? {
        guard let bytes = try? PrivateFile.read(path, maximumSize: 1 << 20, requirePrivate: false),
            let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        return try? PrivateKey(pem: text)
    }

    private static func readCertificate(_ path: String) -> Certificate? {
        guard let bytes = try? PrivateFile.read(path, maximumSize: 1 << 20, requirePrivate: false),
            let text = String(validating: bytes, as: UTF8.self)
        else { return nil }
        return try? Certificate(pem: text)
    }
}
