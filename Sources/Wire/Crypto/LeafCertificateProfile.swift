// What a CA writes into a leaf certificate. Validity dates are taken as given
// (tests issue already-expired certificates on purpose); the CA checks only that
// the window is not reversed.

import Foundation

/// The contents of a leaf certificate to issue.
public struct LeafCertificateProfile: Sendable {
    /// How the certificate may be used in TLS (extendedKeyUsage).
    public struct Usage: OptionSet, Sendable, Hashable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }

        /// TLS server authentication (the edge's tunnel listener).
        public static let serverAuth = Usage(rawValue: 1 << 0)
        /// TLS client authentication (a home agent).
        public static let clientAuth = Usage(rawValue: 1 << 1)
    }

    public var commonName: String
    /// DNS subjectAltNames; a TLS client verifies the server name against these.
    public var dnsNames: [String]
    /// IP address subjectAltNames (IPv4 dotted quad or IPv6 text): how a
    /// certificate names a server reached by address (RFC 5280 §4.2.1.6).
    public var ipAddresses: [String] = []
    public var notBefore: Date
    public var notAfter: Date
    public var usage: Usage

    public init(commonName: String, dnsNames: [String] = [], notBefore: Date, notAfter: Date, usage: Usage) {
        self.commonName = commonName
        self.dnsNames = dnsNames
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.usage = usage
    }

    /// A profile valid from an hour ago (clock skew) for `days` days.
    public init(commonName: String, dnsNames: [String] = [], days: Int, usage: Usage, now: Date = Date()) {
        self.init(commonName: commonName, dnsNames: dnsNames,
                  notBefore: now.addingTimeInterval(-3600),
                  notAfter: now.addingTimeInterval(TimeInterval(days) * 86_400), usage: usage)
    }
}
