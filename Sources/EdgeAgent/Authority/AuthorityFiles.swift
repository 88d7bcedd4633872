// Reads and writes the four files of `EdgeAuthority` and decides, file by file,
// whether to load, create or refuse (the policy is in EdgeAuthority's header).
// Keys are written before the certificates that name them, so a crash between
// the two leaves a key without its certificate, which the next start reports
// (CA) or repairs (tunnel).

import Foundation
import Wire

/// The authority's files in one data directory.
struct AuthorityFiles {
    let directory: URL

    func url(_ name: String) -> URL { directory.appendingPathComponent(name) }
    func path(_ name: String) -> String { url(name).path }

    // MARK: CA

    func loadOrCreateCA(commonName: String, algorithm: PrivateKey.Algorithm, now: Date,
                        events: inout [EdgeAuthority.Event]) throws(AuthorityError) -> CertificateAuthority {
        let keyFile = EdgeAuthority.caKeyFile, certificateFile = EdgeAuthority.caCertificateFile
        let keyBytes = try SecureFile.read(url(keyFile), secret: true)
        let certificateBytes = try SecureFile.read(url(certificateFile), secret: false)
        let replaceFix = "restore it from a backup, or remove both \(keyFile) and \(certificateFile) "
            + "to create a new CA (every home must then join again)"
        switch (keyBytes, certificateBytes) {
        case (nil, nil):
            let authority: CertificateAuthority
            do throws(CryptoError) {
                authority = try .selfSigned(key: .generate(algorithm), commonName: commonName,
                                            days: EdgeAuthority.caValidityDays, now: now)
            } catch { throw .crypto(error) }
            try writeKey(authority.key, to: keyFile)
            try writeCertificate(authority.certificate, to: certificateFile)
            events.append(.createdCertificateAuthority)
            return authority
        case (nil, _?):
            throw .inconsistent(path: path(keyFile), problem: "missing while \(certificateFile) exists", fix: replaceFix)
        case (_?, nil):
            throw .inconsistent(path: path(certificateFile), problem: "missing while \(keyFile) exists", fix: replaceFix)
        case (let keyBytes?, let certificateBytes?):
            let key = try parseKey(keyBytes, file: keyFile)
            let certificate = try parseCertificate(certificateBytes, file: certificateFile)
            guard certificate.certifies(key) else {
                throw .inconsistent(path: path(certificateFile), problem: "does not match the key in \(keyFile)",
                                    fix: replaceFix)
            }
            do throws(CryptoError) {
                return try CertificateAuthority(certificate: certificate, key: key)
            } catch {
                throw .inconsistent(path: path(certificateFile), problem: error.message, fix: replaceFix)
            }
        }
    }

    // MARK: Tunnel

    func loadOrIssueTunnel(authority: CertificateAuthority, names: [String], addresses: [String] = [],
                           algorithm: PrivateKey.Algorithm,
                           now: Date, events: inout [EdgeAuthority.Event]) throws(AuthorityError)
        -> (key: PrivateKey, certificate: Certificate) {
        let keyFile = EdgeAuthority.tunnelKeyFile, certificateFile = EdgeAuthority.tunnelCertificateFile
        let key: PrivateKey
        var existing: Certificate?
        if let keyBytes = try SecureFile.read(url(keyFile), secret: true) {
            key = try parseKey(keyBytes, file: keyFile)
            if let certificateBytes = try SecureFile.read(url(certificateFile), secret: false) {
                existing = try parseCertificate(certificateBytes, file: certificateFile)
            }
        } else {
            // No key: whatever tunnel.pem holds is unusable; a fresh pair replaces it.
            do throws(CryptoError) { key = try .generate(algorithm) } catch { throw .crypto(error) }
            try writeKey(key, to: keyFile)
            events.append(.createdTunnelKey)
        }
        if let existing {
            guard existing.certifies(key) else {
                throw .inconsistent(path: path(certificateFile), problem: "does not match the key in \(keyFile)",
                                    fix: "remove \(path(certificateFile)) and \(path(keyFile)); "
                                        + "the edge issues a new tunnel pair at the next start")
            }
            guard let reason = Self.reissueReason(existing, authority: authority, names: names, addresses: addresses,
                                                  now: now) else {
                return (key, existing)
            }
            events.append(.issuedTunnelCertificate(reason))
        } else {
            events.append(.issuedTunnelCertificate(.missing))
        }
        let certificate = try Self.issueTunnelCertificate(authority: authority, key: key, names: names,
                                                          addresses: addresses, now: now)
        try writeCertificate(certificate, to: certificateFile)
        return (key, certificate)
    }

    /// Why `certificate` must be replaced, or nil if it is still good.
    static func reissueReason(_ certificate: Certificate, authority: CertificateAuthority, names: [String],
                              addresses: [String] = [], now: Date) -> EdgeAuthority.TunnelIssueReason? {
        if !certificate.isSigned(by: authority.certificate) { return .notIssuedByCA }
        if Set(certificate.dnsNames) != Set(names) { return .namesChanged }
        if Set(certificate.ipAddresses) != Set(addresses) { return .namesChanged }
        if certificate.notAfter.timeIntervalSince(now) < EdgeAuthority.renewalWindow { return .expiring }
        return nil
    }

    static func issueTunnelCertificate(authority: CertificateAuthority, key: PrivateKey, names: [String],
                                       addresses: [String] = [], now: Date) throws(AuthorityError) -> Certificate {
        var profile = LeafCertificateProfile(commonName: "Portico Edge Tunnel", dnsNames: names,
                                             days: EdgeAuthority.tunnelValidityDays, usage: .serverAuth, now: now)
        profile.ipAddresses = addresses
        profile.notAfter = min(profile.notAfter, authority.certificate.notAfter)
        do throws(CryptoError) {
            return try authority.issue(for: key.publicKey, profile: profile)
        } catch {
            throw .crypto(error)
        }
    }

    // MARK: PEM

    private func parseKey(_ bytes: [UInt8], file: String) throws(AuthorityError) -> PrivateKey {
        do throws(CryptoError) { return try PrivateKey(pem: String(decoding: bytes, as: UTF8.self)) } catch {
            throw .malformed(path: path(file), problem: error.message)
        }
    }

    private func parseCertificate(_ bytes: [UInt8], file: String) throws(AuthorityError) -> Certificate {
        do throws(CryptoError) { return try Certificate(pem: String(decoding: bytes, as: UTF8.self)) } catch {
            throw .malformed(path: path(file), problem: error.message)
        }
    }

    private func writeKey(_ key: PrivateKey, to file: String) throws(AuthorityError) {
        let pem: String
        do throws(CryptoError) { pem = try key.pemString() } catch { throw .crypto(error) }
        try SecureFile.write(Array(pem.utf8), to: url(file), mode: 0o600)
    }

    private func writeCertificate(_ certificate: Certificate, to file: String) throws(AuthorityError) {
        try SecureFile.write(Array(certificate.pemString.utf8), to: url(file), mode: 0o644)
    }
}
