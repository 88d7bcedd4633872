// The bearer token that guards the edge's admin API. It is created on first
// start as 32 random bytes (from the system CSPRNG) written as 64 lower-case
// hex characters to `admin.token` (0600) in the data directory; the admin CLI
// on the same machine reads it from there. Anyone who can read the file can
// administer the edge, so it gets the same permission check as the keys.

import Foundation
import Wire

/// The admin API's bearer token.
struct AdminToken: Sendable, CustomStringConvertible {
    static let fileName = "admin.token"
    static let byteCount = 32

    /// The token text, as clients send it in `Authorization: Bearer …`.
    let value: String

    /// Loads `admin.token` from `directory`, creating it (and the directory, 0700) if missing.
    static func loadOrCreate(in directory: URL) throws(AuthorityError) -> AdminToken {
        if let existing = try load(in: directory) { return existing }
        try SecureFile.ensureDirectory(directory)
        var random = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let token = AdminToken(value: SHA256.hex(bytes))
        let url = directory.appendingPathComponent(fileName)
        try SecureFile.write(Array((token.value + "\n").utf8), to: url, mode: 0o600)
        return token
    }

    /// Loads `admin.token` from `directory`; nil if it does not exist (the admin CLI's case:
    /// it must not invent a token the running edge does not know).
    static func load(in directory: URL) throws(AuthorityError) -> AdminToken? {
        let url = directory.appendingPathComponent(fileName)
        guard let bytes = try SecureFile.read(url, secret: true) else { return nil }
        let text = String(decoding: bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let isHex = text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard text.utf8.count == byteCount * 2, isHex else {
            throw .malformed(path: url.path, problem: "expected \(byteCount * 2) lower-case hex characters; "
                                 + "delete it to have the edge create a new token at the next start")
        }
        return AdminToken(value: text)
    }

    /// Whether `presented` is this token, in time that does not depend on where they differ.
    ///
    /// A comparison that stops at the first differing byte lets a network attacker
    /// find the token one byte at a time by timing rejections. Both sides are hashed
    /// first, so the loop always runs over 32 bytes whatever was presented (its
    /// length, too, tells nothing about the token), and the bytes are folded with
    /// XOR/OR without a branch or early exit.
    func verify(_ presented: String) -> Bool {
        let expected = SHA256.hash(Array(value.utf8))
        let actual = SHA256.hash(Array(presented.utf8))
        var difference: UInt8 = 0
        for index in 0..<expected.count { difference |= expected[index] ^ actual[index] }
        return difference == 0
    }

    /// Never prints the token itself.
    var description: String { "AdminToken(redacted)" }
}
