// Read-only accessors for the certificate fields Portico makes decisions on.

import COpenSSL
import Foundation

extension Certificate {
    /// The subject's common name, if any.
    public var subjectCommonName: String? {
        DistinguishedName.commonName(of: X509_get_subject_name(handle))
    }

    /// The issuer's common name, if any.
    public var issuerCommonName: String? {
        DistinguishedName.commonName(of: X509_get_issuer_name(handle))
    }

    /// DNS names from the subjectAltName extension, in order.
    public var dnsNames: [String] {
        subjectAltNames(ofType: GEN_DNS) { ASN1Text.string($0) }
    }

    /// IP addresses from the subjectAltName extension, in order, as text
    /// (dotted quad, or IPv6 as `inet_ntop` writes it).
    public var ipAddresses: [String] {
        subjectAltNames(ofType: GEN_IPADD) { octets in
            guard let data = ASN1_STRING_get0_data(octets) else { return nil }
            return ASN1Text.address(Array(UnsafeBufferPointer(start: data, count: Int(ASN1_STRING_length(octets)))))
        }
    }

    /// The subjectAltName entries of one GENERAL_NAME type (all of which hold an
    /// ASN1_STRING: IA5String for DNS, OCTET STRING for IP), converted while the
    /// decoded extension is alive.
    private func subjectAltNames<T>(ofType wanted: Int32, _ convert: (UnsafePointer<ASN1_STRING>) -> T?) -> [T] {
        guard let raw = X509_get_ext_d2i(handle, NID_subject_alt_name, nil, nil) else { return [] }
        let names = OpaquePointer(raw)
        defer { GENERAL_NAMES_free(names) }
        var result: [T] = []
        for index in 0..<portico_sk_GENERAL_NAME_num(names) {
            var type: Int32 = 0
            guard let name = portico_sk_GENERAL_NAME_value(names, index),
                  let value = GENERAL_NAME_get0_value(name, &type), type == wanted,
                  let converted = convert(value.assumingMemoryBound(to: ASN1_STRING.self))
            else { continue }
            result.append(converted)
        }
        return result
    }

    /// `text` (an IPv4 or IPv6 address) spelled as ``ipAddresses`` reports it,
    /// so configured addresses compare equal to certified ones; nil if not an address.
    public static func canonicalIPAddress(_ text: String) -> String? {
        CertificateBuilder.addressBytes(text).flatMap(ASN1Text.address)
    }

    /// Start of the validity window.
    public var notBefore: Date { ASN1Text.date(X509_get0_notBefore(handle)) }

    /// End of the validity window.
    public var notAfter: Date { ASN1Text.date(X509_get0_notAfter(handle)) }

    /// Whether basicConstraints marks this certificate as a CA.
    public var isCertificateAuthority: Bool { X509_check_ca(handle) != 0 }

    /// The serial number, as upper-case hex.
    public var serialNumberHex: String {
        guard let serial = X509_get0_serialNumber(handle),
              let bn = ASN1_INTEGER_to_BN(serial, nil) else { return "" }
        defer { BN_free(bn) }
        guard let hex = BN_bn2hex(bn) else { return "" }
        defer { portico_OPENSSL_free(hex) }
        return String(cString: hex)
    }

    /// Whether `issuer`'s key signed this certificate (signature only; no chain or time checks).
    public func isSigned(by issuer: Certificate) -> Bool {
        OpenSSLErrorQueue.clear()
        defer { OpenSSLErrorQueue.clear() }
        guard let key = X509_get0_pubkey(issuer.handle) else { return false }
        return X509_verify(handle, key) == 1
    }
}

/// Conversions from ASN.1 values to Swift.
enum ASN1Text {
    /// UTF-8 text of an ASN1_STRING (IA5String, UTF8String, ...).
    static func string(_ asn1: UnsafePointer<ASN1_STRING>) -> String {
        guard let data = ASN1_STRING_get0_data(asn1) else { return "" }
        let count = Int(ASN1_STRING_length(asn1))
        return String(decoding: UnsafeBufferPointer(start: data, count: count), as: UTF8.self)
    }

    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address as text; nil for other lengths.
    static func address(_ bytes: [UInt8]) -> String? {
        let family: Int32
        switch bytes.count {
        case 4: family = AF_INET
        case 16: family = AF_INET6
        default: return nil
        }
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        guard inet_ntop(family, bytes, &text, socklen_t(text.count)) != nil else { return nil }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// An ASN1_TIME as a Date (seconds precision).
    static func date(_ time: UnsafePointer<ASN1_TIME>?) -> Date {
        var parts = tm()
        guard let time, ASN1_TIME_to_tm(time, &parts) == 1 else { return .distantPast }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&parts)))
    }
}
