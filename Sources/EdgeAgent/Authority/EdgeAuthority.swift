// The edge's certificate authority and tunnel identity, kept in its data
// directory:
//
//   ca.key      0600  the CA private key (Ed25519 by default)
//   ca.pem      0644  the self-signed CA certificate, 10 years; homes pin its SHA-256
//   tunnel.key  0600  the tunnel listener's private key
//   tunnel.pem  0644  the tunnel server certificate, issued by the CA, 1 year;
//                     names every --hostname (DNS names as DNS, addresses as IP SANs)
//
// The CA is the edge's identity: every join token pins it and every home
// certificate chains to it, so it is created once and never replaced behind the
// operator's back; a missing half or a key that does not match is an error to
// fix by hand. The tunnel pair is derived from the CA and the configured names,
// so it is recreated when missing and reissued when the names change, it
// expires within 30 days, or it was not issued by the current CA. Files that
// are present but disagree are refused: that is damage or a botched manual
// change, and guessing would hide it.
//
// Invariant: `authority` is a CA whose key matches its certificate,
// `tunnelCertificate` matches `tunnelKey`, is signed by `authority` and names
// exactly `tunnelNames` and `tunnelAddresses`. All fields are immutable Sendable values.

import Foundation
import Wire

/// The edge CA and the tunnel listener's identity, loaded from (or created in) the data directory.
struct EdgeAuthority: Sendable {
    static let caKeyFile = "ca.key"
    static let caCertificateFile = "ca.pem"
    static let tunnelKeyFile = "tunnel.key"
    static let tunnelCertificateFile = "tunnel.pem"
    static let caValidityDays = 3650
    static let tunnelValidityDays = 365
    static let homeValidityDays = 365
    /// A tunnel certificate this close to expiry is reissued: at start, on SIGHUP and by the
    /// 12-hourly check of a running edge (`TunnelCertificateService`).
    static let renewalWindow: TimeInterval = 30 * 86_400

    /// Something `open` did, for the startup log.
    enum Event: Sendable, Hashable {
        case createdDataDirectory
        case createdCertificateAuthority
        case createdTunnelKey
        case issuedTunnelCertificate(TunnelIssueReason)
    }

    /// Why the tunnel certificate was (re)issued.
    enum TunnelIssueReason: String, Sendable, Hashable {
        case missing
        case namesChanged
        case expiring
        case notIssuedByCA
    }

    let directory: URL
    let authority: CertificateAuthority
    let tunnelKey: PrivateKey
    let tunnelCertificate: Certificate
    /// The DNS names in the tunnel certificate: the `--hostname` DNS names, then `localhost`.
    let tunnelNames: [String]
    /// The IP address SANs in the tunnel certificate: the `--hostname` IP addresses, so a
    /// home that dials the edge by address can verify it by name too.
    let tunnelAddresses: [String]
    /// What this start created or reissued, in order; empty when everything was loaded as is.
    let events: [Event]

    /// The CA certificate homes trust.
    var caCertificate: Certificate { authority.certificate }

    /// SHA-256 of the CA certificate's DER: the pin join tokens carry (`PeerPin.certificateInChain`).
    var caPin: [UInt8] { authority.certificate.fingerprintSHA256 }

    /// Loads the authority from `directory`, creating whatever is missing (see the file header).
    ///
    /// - Parameters:
    ///   - hostnames: the `--hostname` values; DNS names go into the tunnel certificate
    ///     as DNS names, IP addresses as IP addresses.
    ///   - keyAlgorithm: for newly created keys; existing keys keep their algorithm.
    ///   - machineName: names a new CA when no DNS hostname is configured.
    static func open(directory: URL, hostnames: [String], keyAlgorithm: PrivateKey.Algorithm = .ed25519,
                     now: Date = Date(),
                     machineName: String = ProcessInfo.processInfo.hostName) throws(AuthorityError) -> EdgeAuthority {
        let names = try tunnelNames(for: hostnames)
        let addresses = tunnelAddresses(for: hostnames)
        var events: [Event] = []
        if try SecureFile.ensureDirectory(directory) { events.append(.createdDataDirectory) }
        let files = AuthorityFiles(directory: directory)
        let authority = try files.loadOrCreateCA(commonName: caCommonName(names: names, machineName: machineName),
                                                 algorithm: keyAlgorithm, now: now, events: &events)
        let tunnel = try files.loadOrIssueTunnel(authority: authority, names: names, addresses: addresses,
                                                 algorithm: keyAlgorithm, now: now, events: &events)
        return EdgeAuthority(directory: directory, authority: authority, tunnelKey: tunnel.key,
                             tunnelCertificate: tunnel.certificate, tunnelNames: names, tunnelAddresses: addresses,
                             events: events)
    }

    /// The tunnel certificate's DNS names: valid, canonical, deduplicated, plus `localhost`
    /// (so homes and tests on the edge machine itself can verify the name).
    static func tunnelNames(for hostnames: [String]) throws(AuthorityError) -> [String] {
        var names: [String] = []
        for hostname in hostnames {
            guard let host = EdgeHost(hostname) else { throw .invalidHostname(hostname) }
            if host.kind == .dnsName, !names.contains(host.text) { names.append(host.text) }
        }
        if !names.contains("localhost") { names.append("localhost") }
        return names
    }

    /// The tunnel certificate's IP addresses: the `--hostname` values that are
    /// IPv4 or IPv6 addresses, canonical and deduplicated (call after `tunnelNames`,
    /// which rejects invalid values).
    static func tunnelAddresses(for hostnames: [String]) -> [String] {
        var addresses: [String] = []
        for hostname in hostnames {
            guard let host = EdgeHost(hostname), host.kind != .dnsName else { continue }
            let text = Certificate.canonicalIPAddress(host.text) ?? host.text
            if !addresses.contains(text) { addresses.append(text) }
        }
        return addresses
    }

    /// "Portico Edge CA <name>", with the name shortened to fit a 64-byte common name.
    static func caCommonName(names: [String], machineName: String) -> String {
        let base = "Portico Edge CA"
        let name = names.first { $0 != "localhost" } ?? machineName
        var result = "\(base) \(name)"
        while result.utf8.count > 64 { result.removeLast() }
        return name.isEmpty ? base : result
    }
}
