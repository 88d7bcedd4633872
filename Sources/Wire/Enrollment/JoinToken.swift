// A join token is everything a home needs to enroll with an edge, in one line
// an operator can copy from `edgeagent home create` into `homeagent join`:
// where the edge's tunnel listens, which token this is, the one-time secret
// that proves the holder may enroll, and the SHA-256 pin of the edge CA, so the
// home can authenticate the edge with nothing else (see `PeerPin`).
//
// Invariant: `id` is 16 bytes, `secret` and `caPin` 32 bytes, `port` is not 0
// (the host is valid by construction of `EdgeHost`).
// Every initialiser checks this, so encoding never fails.

import Foundation

/// The one-line enrollment credential an edge issues to a home.
///
/// Text form (format version 1):
///
///     portico1-<base64url, no padding, of: payload || checksum>
///
/// payload, all integers big-endian:
///
/// | bytes | field                                                    |
/// |-------|----------------------------------------------------------|
/// | 1     | version, 1                                               |
/// | 16    | token id (names the token in the edge registry)          |
/// | 32    | one-time secret (the edge stores only its hash)          |
/// | 32    | SHA-256 of the edge CA certificate's DER                 |
/// | 1     | host length N, 1...253                                   |
/// | N     | host, UTF-8: DNS name, IPv4, or IPv6 without brackets    |
/// | 2     | tunnel port, 1...65535                                   |
///
/// checksum: the first 4 bytes of SHA-256(payload). It is independent of the
/// version, so a damaged token is reported as damaged rather than as an unknown
/// version. It detects copy-paste mistakes; it is not a security mechanism (the
/// secret and the TLS pin are). The text uses only `A–Z a–z 0–9 - _`, so it
/// survives terminals, shells and chat clients, and line-wrapping whitespace
/// around it is ignored by `parse`.
public struct JoinToken: Sendable, Hashable, CustomStringConvertible {
    /// What every join token's text starts with.
    public static let prefix = "portico1-"
    /// The payload layout this build writes and reads.
    public static let currentVersion: UInt8 = 1
    static let idLength = 16
    static let secretLength = 32
    static let pinLength = 32
    static let checksumLength = 4

    /// The payload format version.
    public let version: UInt8
    /// The edge's tunnel host, canonical (see `EdgeHost`).
    public let edgeHost: EdgeHost
    /// The edge's tunnel port.
    public let port: UInt16
    /// Names this token in the edge's registry; not secret.
    public let id: [UInt8]
    /// Proves the holder may enroll once; the edge keeps only a hash of it.
    public let secret: [UInt8]
    /// SHA-256 of the edge CA certificate's DER, for `PeerPin.certificateInChain`.
    public let caPin: [UInt8]

    /// A token from its parts. `host` may be an IPv6 address in brackets (`[::1]`).
    public init(host: String, port: UInt16, id: [UInt8], secret: [UInt8], caPin: [UInt8]) throws(JoinTokenError) {
        try Self.check("id", id, Self.idLength)
        try Self.check("secret", secret, Self.secretLength)
        try Self.check("CA pin", caPin, Self.pinLength)
        guard port != 0 else { throw .invalidPort }
        self.version = Self.currentVersion
        guard let canonical = EdgeHost(host) else { throw .invalidHost(host) }
        self.edgeHost = canonical
        self.port = port
        self.id = id
        self.secret = secret
        self.caPin = caPin
    }

    /// A new token with a random id and secret (from the system CSPRNG).
    public static func generate(host: String, port: UInt16, caPin: [UInt8]) throws(JoinTokenError) -> JoinToken {
        var random = SystemRandomNumberGenerator()
        let id = (0..<idLength).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let secret = (0..<secretLength).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        return try JoinToken(host: host, port: port, id: id, secret: secret, caPin: caPin)
    }

    private static func check(_ field: String, _ bytes: [UInt8], _ expected: Int) throws(JoinTokenError) {
        guard bytes.count == expected else {
            throw .invalidFieldLength(field: field, expected: expected, actual: bytes.count)
        }
    }

    /// `host:port`, with brackets around an IPv6 host.
    public var address: String { "\(edgeHost.bracketed):\(port)" }

    /// The edge's tunnel host: a DNS name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String { edgeHost.text }

    /// The token id as lower-case hex, how the registry and logs name it.
    public var idHex: String { SHA256.hex(id) }

    /// The payload (without checksum), as described in the type's documentation.
    public var payload: [UInt8] {
        let hostBytes = Array(edgeHost.text.utf8)
        var bytes: [UInt8] = [version]
        bytes += id
        bytes += secret
        bytes += caPin
        bytes.append(UInt8(hostBytes.count))
        bytes += hostBytes
        bytes += [UInt8(port >> 8), UInt8(port & 0xff)]
        return bytes
    }

    /// The one-line text form: what `edgeagent home create` prints.
    public var text: String {
        let payload = self.payload
        return Self.prefix + Base64URL.encode(payload + Self.checksum(payload))
    }

    static func checksum(_ payload: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(payload).prefix(checksumLength))
    }

    /// Names the edge and the token id; never the secret, so tokens can be logged safely.
    public var description: String { "JoinToken(\(address), id \(idHex))" }
}
