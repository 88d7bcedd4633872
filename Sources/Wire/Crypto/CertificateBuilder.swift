// Assembles and signs one X509. Only CertificateAuthority uses it; it exists so
// that the CA file reads as policy (what goes into a CA or a leaf) while the
// OpenSSL plumbing lives here. The X509 under construction is owned by the
// builder until `sign` hands it to a `Certificate`.

import COpenSSL
import Foundation

/// A certificate under construction.
final class CertificateBuilder {
    private let x509: OpaquePointer
    private var signed = false

    init(subject: String, issuer: OpaquePointer?, publicKey: OpaquePointer,
         notBefore: Date, notAfter: Date) throws(CryptoError) {
        guard notBefore < notAfter else {
            throw CryptoError(.invalidArgument, "notBefore (\(notBefore)) must be earlier than notAfter (\(notAfter))")
        }
        OpenSSLErrorQueue.clear()
        guard let x509 = X509_new() else { throw .openSSL(.internalFailure, "cannot allocate a certificate") }
        self.x509 = x509
        let name = try DistinguishedName.make(commonName: subject)
        defer { X509_NAME_free(name) }
        let issuerName = issuer.map { X509_get_subject_name($0) } ?? name
        guard X509_set_version(x509, 2) == 1,  // v3
              X509_set_subject_name(x509, name) == 1,
              X509_set_issuer_name(x509, issuerName) == 1,
              X509_set_pubkey(x509, publicKey) == 1,
              ASN1_TIME_set(X509_getm_notBefore(x509), time_t(notBefore.timeIntervalSince1970)) != nil,
              ASN1_TIME_set(X509_getm_notAfter(x509), time_t(notAfter.timeIntervalSince1970)) != nil
        else { throw .openSSL(.internalFailure, "cannot fill in the certificate") }
        try setRandomSerial()
    }

    deinit {
        if !signed { X509_free(x509) }
    }

    /// A 127-bit random positive serial (RFC 5280 allows up to 20 octets).
    private func setRandomSerial() throws(CryptoError) {
        var bytes = [UInt8](repeating: 0, count: 16)
        guard RAND_bytes(&bytes, Int32(bytes.count)) == 1 else {
            throw .openSSL(.internalFailure, "no randomness for the serial number")
        }
        bytes[0] = (bytes[0] & 0x7f) | 0x01  // positive, and keeps its full length
        guard let bn = BN_bin2bn(bytes, Int32(bytes.count), nil) else {
            throw .openSSL(.internalFailure, "cannot build the serial number")
        }
        defer { BN_free(bn) }
        guard let serial = BN_to_ASN1_INTEGER(bn, nil) else {
            throw .openSSL(.internalFailure, "cannot build the serial number")
        }
        defer { ASN1_INTEGER_free(serial) }
        guard X509_set_serialNumber(x509, serial) == 1 else {
            throw .openSSL(.internalFailure, "cannot set the serial number")
        }
    }

    /// Adds an extension written in OpenSSL's config syntax, e.g. `critical,CA:TRUE`.
    /// `issuer` is the issuing certificate (nil when self-signed).
    func addExtension(_ nid: Int32, _ value: String, issuer: OpaquePointer?) throws(CryptoError) {
        var v3 = X509V3_CTX()
        X509V3_set_ctx(&v3, issuer ?? x509, x509, nil, nil, 0)
        guard let ext = X509V3_EXT_conf_nid(nil, &v3, nid, value) else {
            throw .openSSL(.internalFailure, "cannot build extension \(value)")
        }
        defer { X509_EXTENSION_free(ext) }
        guard X509_add_ext(x509, ext, -1) == 1 else {
            throw .openSSL(.internalFailure, "cannot add extension \(value)")
        }
    }

    /// Adds a subjectAltName with the given DNS names and IP addresses (none: no extension).
    func addSubjectAltNames(dns names: [String], ip addresses: [String]) throws(CryptoError) {
        guard !names.isEmpty || !addresses.isEmpty else { return }
        guard let list = portico_GENERAL_NAMES_new() else { throw .openSSL(.internalFailure, "cannot allocate names") }
        defer { GENERAL_NAMES_free(list) }
        for dns in names {
            guard !dns.isEmpty, dns.utf8.count <= 253,
                  dns.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: ",") })
            else { throw CryptoError(.invalidArgument, "\"\(dns)\" is not a DNS name") }
            guard let ia5 = ASN1_IA5STRING_new() else { throw .openSSL(.internalFailure, "cannot allocate a DNS name") }
            ASN1_STRING_set(ia5, dns, Int32(dns.utf8.count))
            try push(GEN_DNS, UnsafeMutableRawPointer(ia5), to: list)
        }
        for address in addresses {
            guard let bytes = Self.addressBytes(address) else {
                throw CryptoError(.invalidArgument, "\"\(address)\" is not an IPv4 or IPv6 address")
            }
            guard let octets = ASN1_OCTET_STRING_new() else { throw .openSSL(.internalFailure, "cannot allocate an IP address") }
            ASN1_OCTET_STRING_set(octets, bytes, Int32(bytes.count))
            try push(GEN_IPADD, UnsafeMutableRawPointer(octets), to: list)
        }
        guard X509_add1_ext_i2d(x509, NID_subject_alt_name, UnsafeMutableRawPointer(list), 0, 0) == 1 else {
            throw .openSSL(.internalFailure, "cannot add subjectAltName")
        }
    }

    /// Wraps `value` (owned from here on) in a GENERAL_NAME of `type` and appends it to `list`.
    private func push(_ type: Int32, _ value: UnsafeMutableRawPointer, to list: OpaquePointer) throws(CryptoError) {
        guard let general = GENERAL_NAME_new() else {
            ASN1_STRING_free(value.assumingMemoryBound(to: ASN1_STRING.self))
            throw .openSSL(.internalFailure, "cannot allocate a subjectAltName entry")
        }
        GENERAL_NAME_set0_value(general, type, value)
        guard portico_sk_GENERAL_NAME_push(list, general) > 0 else {
            GENERAL_NAME_free(general)
            throw .openSSL(.internalFailure, "cannot add a subjectAltName entry")
        }
    }

    /// The 4 or 16 network-order bytes of an IPv4 or IPv6 address in text form.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// Signs with `key` and hands the result to a `Certificate`.
    func sign(with key: PrivateKey) throws(CryptoError) -> Certificate {
        guard X509_sign(x509, key.handle, key.algorithm.signingDigest) > 0 else {
            throw .openSSL(.internalFailure, "cannot sign the certificate")
        }
        signed = true
        return try Certificate(taking: x509)
    }
}
