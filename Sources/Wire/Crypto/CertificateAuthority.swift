// Portico's small CA: the edge signs home (client) and edge (server)
// certificates with it, and homes pin its certificate's SHA-256.
//
// Invariant: `key` matches `certificate` (checked at init) and the certificate
// is a CA. Policy lives here: a CA gets basicConstraints CA:TRUE with
// keyCertSign/cRLSign; a leaf gets CA:FALSE, digitalSignature and the EKUs of
// its profile, and always a fresh random serial.

import COpenSSL
import Foundation

/// A certificate authority: a CA certificate plus its private key.
public struct CertificateAuthority: Sendable {
    public let certificate: Certificate
    public let key: PrivateKey

    /// Pairs an existing CA certificate with its key.
    public init(certificate: Certificate, key: PrivateKey) throws(CryptoError) {
        OpenSSLErrorQueue.clear()
        guard X509_check_private_key(certificate.handle, key.handle) == 1 else {
            throw .openSSL(.invalidArgument, "the private key does not match the CA certificate")
        }
        guard certificate.isCertificateAuthority else {
            throw CryptoError(.invalidArgument, "\(certificate) is not a CA certificate")
        }
        self.certificate = certificate
        self.key = key
    }

    /// Creates a self-signed CA certificate for `key`.
    public static func selfSigned(key: PrivateKey, commonName: String,
                                  notBefore: Date, notAfter: Date) throws(CryptoError) -> CertificateAuthority {
        let builder = try CertificateBuilder(subject: commonName, issuer: nil, publicKey: key.handle,
                                             notBefore: notBefore, notAfter: notAfter)
        try builder.addExtension(NID_basic_constraints, "critical,CA:TRUE", issuer: nil)
        try builder.addExtension(NID_key_usage, "critical,keyCertSign,cRLSign", issuer: nil)
        try builder.addExtension(NID_subject_key_identifier, "hash", issuer: nil)
        try builder.addExtension(NID_authority_key_identifier, "keyid:always", issuer: nil)
        return try CertificateAuthority(certificate: builder.sign(with: key), key: key)
    }

    /// Creates a self-signed CA valid from an hour ago for `days` days.
    public static func selfSigned(key: PrivateKey, commonName: String, days: Int,
                                  now: Date = Date()) throws(CryptoError) -> CertificateAuthority {
        try selfSigned(key: key, commonName: commonName, notBefore: now.addingTimeInterval(-3600),
                       notAfter: now.addingTimeInterval(TimeInterval(days) * 86_400))
    }

    /// Issues a leaf for the key in `request`, after checking the request's self-signature.
    /// The profile, not the request, decides the names: a CSR cannot ask for more.
    public func issue(for request: CertificateSigningRequest, profile: LeafCertificateProfile) throws(CryptoError) -> Certificate {
        guard request.verifySignature() else {
            throw CryptoError(.invalidSignature, "the CSR is not signed by the key it carries")
        }
        return try issue(for: request.publicKey(), profile: profile)
    }

    /// Issues a leaf certificate binding `publicKey` to the profile's names.
    public func issue(for publicKey: PublicKey, profile: LeafCertificateProfile) throws(CryptoError) -> Certificate {
        guard !profile.usage.isEmpty else {
            throw CryptoError(.invalidArgument, "a leaf needs serverAuth and/or clientAuth usage")
        }
        let issuer = certificate.handle
        let builder = try CertificateBuilder(subject: profile.commonName, issuer: issuer, publicKey: publicKey.handle,
                                             notBefore: profile.notBefore, notAfter: profile.notAfter)
        var purposes: [String] = []
        if profile.usage.contains(.serverAuth) { purposes.append("serverAuth") }
        if profile.usage.contains(.clientAuth) { purposes.append("clientAuth") }
        // Ed25519 and ECDSA keys only sign in TLS 1.3; keyEncipherment would be wrong.
        try builder.addExtension(NID_basic_constraints, "critical,CA:FALSE", issuer: issuer)
        try builder.addExtension(NID_key_usage, "critical,digitalSignature", issuer: issuer)
        try builder.addExtension(NID_ext_key_usage, purposes.joined(separator: ","), issuer: issuer)
        try builder.addExtension(NID_subject_key_identifier, "hash", issuer: issuer)
        try builder.addExtension(NID_authority_key_identifier, "keyid:always", issuer: issuer)
        try builder.addSubjectAltNames(dns: profile.dnsNames, ip: profile.ipAddresses)
        return try builder.sign(with: key)
    }
}
