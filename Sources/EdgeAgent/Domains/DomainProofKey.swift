// The secret behind domain ownership proofs. Created on the first start that
// requires proof as 32 random bytes (system CSPRNG), stored as 64 lower-case
// hex characters in `domain-verification.key` (0600) in the data directory.
// Nothing is stored per claim: the value a home must publish is derived from
// this key, its name and the domain whenever needed, so it stays the same
// across restarts and requests, and losing the file only means new values.

import Foundation
import Wire

/// The edge's key for deriving domain proof values ([PROOF-3]).
struct DomainProofKey: Sendable, CustomStringConvertible {
    static let fileName = "domain-verification.key"
    static let byteCount = 32
    /// Where the value's derivation is told apart from any other use of the key.
    static let context = "portico domain verification v1"

    private let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Loads the key from `directory`, creating it (0600) if missing.
    static func loadOrCreate(in directory: URL) throws(AuthorityError) -> DomainProofKey {
        let url = directory.appendingPathComponent(fileName)
        if let existing = try SecureFile.read(url, secret: true) {
            let text = String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let bytes = Self.hexBytes(text), bytes.count == byteCount else {
                throw .malformed(path: url.path, problem: "expected \(byteCount * 2) lower-case hex characters; "
                                     + "delete it to have the edge create a new key (homes then publish new values)")
            }
            return DomainProofKey(bytes: bytes)
        }
        try SecureFile.ensureDirectory(directory)
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        try SecureFile.write(Array((SHA256.hex(bytes) + "\n").utf8), to: url, mode: 0o600)
        return DomainProofKey(bytes: bytes)
    }

    /// The record `home` must publish to claim canonical `domain`: at
    /// `_portico.<domain>`, `portico-verify=` and the unpadded base64url of
    /// HMAC-SHA256(key, context ‖ 0x00 ‖ home ‖ 0x00 ‖ domain). Another home
    /// gets another value for the same domain and cannot compute this one.
    func proof(home: String, domain: String) -> DomainProof {
        let message = Array(Self.context.utf8) + [0] + Array(home.utf8) + [0] + Array(domain.utf8)
        let mac = HMACSHA256.authenticate(message, key: bytes)
        return DomainProof(
            domain: domain, recordName: DomainProof.recordLabel + "." + domain,
            value: DomainProof.valuePrefix + Base64URL.encode(mac))
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = nibble(digits[index]), let low = nibble(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
        }
        return bytes
    }

    private static func nibble(_ digit: UInt8) -> UInt8? {
        switch digit {
        case 0x30...0x39: digit - 0x30
        case 0x61...0x66: digit - 0x61 + 10
        default: nil
        }
    }

    /// Never prints the key.
    var description: String { "DomainProofKey(redacted)" }
}

/// What a home publishes to prove it holds a domain: a TXT record.
struct DomainProof: Hashable, Sendable {
    static let recordLabel = "_portico"
    static let valuePrefix = "portico-verify="

    /// The canonical domain the record proves.
    var domain: String
    /// `_portico.<domain>`, without a trailing dot.
    var recordName: String
    /// `portico-verify=<43 base64url characters>`.
    var value: String

    /// The record as one zone-file line, to paste.
    var zoneLine: String { "\(recordName). TXT \"\(value)\"" }
}
