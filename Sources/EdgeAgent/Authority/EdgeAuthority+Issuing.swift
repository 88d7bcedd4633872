// What the rest of the edge asks of its authority once it is loaded: home
// certificates at enrollment and the tunnel listener's TLS configuration.

import Foundation
import Wire

extension EdgeAuthority {
    /// Issues a home's client certificate for the key in `csr`: CN = `homeName`,
    /// clientAuth only, valid for a year (never past the CA's own expiry).
    ///
    /// The CSR must be signed by the key it carries (proof the home holds that key);
    /// the name comes from the registry, not from the CSR, so a home cannot ask
    /// for someone else's name.
    func issueHomeCertificate(csr: CertificateSigningRequest, homeName: String,
                              now: Date = Date()) throws(AuthorityError) -> Certificate {
        guard csr.verifySignature() else {
            throw .invalidRequest("the CSR is not signed by the key it carries")
        }
        var profile = LeafCertificateProfile(commonName: homeName, days: Self.homeValidityDays,
                                             usage: .clientAuth, now: now)
        profile.notAfter = min(profile.notAfter, caCertificate.notAfter)
        do throws(CryptoError) {
            return try authority.issue(for: csr, profile: profile)
        } catch where error.kind == .internalFailure {
            throw .crypto(error)
        } catch {
            throw .invalidRequest(error.message)
        }
    }

    /// TLS for the tunnel listener: presents the tunnel certificate with the CA
    /// behind it (a joining home has only the CA pin, and anchors on the CA it finds
    /// in the chain), and verifies client certificates against the CA.
    ///
    /// - Parameter requireClientCertificate: true to demand a client certificate;
    ///   false for the tunnel port, which also admits enrolling homes: a
    ///   certificate is still asked for and verified when presented.
    func serverTLSConfiguration(requireClientCertificate: Bool) -> TLSConfiguration {
        TLSConfiguration(role: .server, certificateChain: [tunnelCertificate, caCertificate],
                         privateKey: tunnelKey, trustRoots: [caCertificate],
                         requirePeerCertificate: requireClientCertificate,
                         requestPeerCertificate: !requireClientCertificate)
    }
}
