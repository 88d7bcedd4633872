// Join tokens that were damaged or were never tokens: each is refused with the
// error that tells the operator what happened, and none crashes the parser.

import TestSupport
import Foundation
import Testing
@testable import Wire

@Suite struct JoinTokenDamageTests {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    static let damaged: Set<String> = ["checksumMismatch", "truncated", "badBase64", "wrongPrefix"]

    static func kind(_ error: JoinTokenError) -> String {
        switch error {
        case .checksumMismatch: "checksumMismatch"
        case .truncated: "truncated"
        case .badBase64: "badBase64"
        case .wrongPrefix: "wrongPrefix"
        default: "\(error)"
        }
    }

    /// The error parsing `text` throws; records an issue if it parses.
    static func refusal(_ text: String) -> JoinTokenError? {
        do {
            let token = try JoinToken.parse(text)
            Issue.record("accepted damaged text \(text) as \(token)")
            return nil
        } catch {
            return error
        }
    }

    @Test func everySingleCharacterSubstitutionIsDetected() throws {
        let original = Array(try JoinTokenTests.token().text)
        var tried = 0
        for position in original.indices {
            for replacement in Self.alphabet + [" ", "=", "+", "/", ".", "é"] where replacement != original[position] {
                var text = original
                text[position] = replacement
                guard let error = Self.refusal(String(text)) else { continue }
                #expect(Self.damaged.contains(Self.kind(error)), "position \(position): \(error)")
                tried += 1
            }
        }
        #expect(tried > original.count * 60)
    }

    @Test func everySingleCharacterDeletionOrInsertionIsDetected() throws {
        let original = Array(try JoinTokenTests.token().text)
        for position in original.indices {
            var deleted = original
            deleted.remove(at: position)
            _ = Self.refusal(String(deleted))
            var inserted = original
            inserted.insert("A", at: position)
            _ = Self.refusal(String(inserted))
        }
    }

    @Test func everyTruncationIsRefused() throws {
        let original = try JoinTokenTests.token().text
        for length in 0..<original.count {
            guard let error = Self.refusal(String(original.prefix(length))) else { continue }
            if length > JoinToken.prefix.count + 8 {
                #expect(Self.damaged.contains(Self.kind(error)) && error != .wrongPrefix, "length \(length): \(error)")
            }
        }
    }

    @Test func wrongPrefixSaysItIsNotAJoinToken() {
        for text in ["", "hello", "portico2-AAAA", "PORTICO1-AAAA", "ssh-ed25519 AAAAC3Nz", "portico1"] {
            #expect(throws: JoinTokenError.wrongPrefix) { try JoinToken.parse(text) }
        }
        #expect(JoinTokenError.wrongPrefix.description.hasPrefix("not a Portico join token"))
    }

    @Test func nonBase64CharacterIsReportedWithItsPosition() {
        #expect(throws: JoinTokenError.badBase64(position: 13)) { try JoinToken.parse("portico1-abc$defg") }
        #expect(throws: JoinTokenError.badBase64(position: 10)) { try JoinToken.parse("portico1-+abc") }
    }

    @Test func checksumMismatchSaysTheTokenIsDamaged() throws {
        var payload = try JoinTokenTests.token().payload
        payload[20] ^= 0x40
        let text = JoinToken.prefix + Base64URL.encode(payload + JoinToken.checksum(try JoinTokenTests.token().payload))
        #expect(throws: JoinTokenError.checksumMismatch) { try JoinToken.parse(text) }
        #expect(JoinTokenError.checksumMismatch.description == "token damaged: check it was copied completely")
    }

    @Test func unknownVersionIsReportedAsUnsupported() {
        let text = JoinTokenTests.text(payload: JoinTokenTests.payload(version: 2, host: "a.test", port: 1))
        #expect(throws: JoinTokenError.unsupportedVersion(2)) { try JoinToken.parse(text) }
    }

    @Test(arguments: ["bad host", "-edge.test", "edge..test", "1.2.3.999", "[::1]", "EDGE.TEST", "a_b.test", "\u{0}"])
    func invalidOrNonCanonicalHostIsRefused(_ host: String) {
        let text = JoinTokenTests.text(payload: JoinTokenTests.payload(host: host, port: 8444))
        #expect(throws: JoinTokenError.invalidHost(host)) { try JoinToken.parse(text) }
    }

    @Test func emptyHostIsRefused() {
        let text = JoinTokenTests.text(payload: JoinTokenTests.payload(host: "", port: 8444))
        #expect(throws: JoinTokenError.invalidHost("")) { try JoinToken.parse(text) }
    }

    @Test func portZeroIsRefused() {
        let text = JoinTokenTests.text(payload: JoinTokenTests.payload(host: "edge.test", port: 0))
        #expect(throws: JoinTokenError.invalidPort) { try JoinToken.parse(text) }
    }

    @Test func extraBytesBehindAValidChecksumAreMalformed() {
        let text = JoinTokenTests.text(payload: JoinTokenTests.payload(host: "edge.test", port: 1) + [0])
        let error = Self.refusal(text)
        guard case .malformed? = error else { Issue.record("expected malformed, got \(String(describing: error))"); return }
    }

    @Test func oversizedInputIsRefusedQuickly() {
        let huge = "portico1-" + String(repeating: "A", count: 100_000)
        #expect(throws: JoinTokenError.tooLong(characters: huge.count)) { try JoinToken.parse(huge) }
        let spaces = String(repeating: " ", count: 100_000)
        #expect(throws: JoinTokenError.wrongPrefix) { try JoinToken.parse(spaces) }
    }

    @Test func randomGarbageNeverParsesOrCrashes() {
        var random = SeededRandom(seed: 0x70_6f_72_74)
        for round in 0..<2_000 {
            let length = Int.random(in: 0...600, using: &random)
            let bytes = (0..<length).map { _ in UInt8.random(in: .min ... .max, using: &random) }
            let body = round.isMultiple(of: 2)
                ? String(decoding: bytes, as: UTF8.self)
                : Base64URL.encode(bytes)
            #expect(throws: JoinTokenError.self) { try JoinToken.parse("portico1-" + body) }
            #expect(throws: JoinTokenError.self) { try JoinToken.parse(String(decoding: bytes, as: UTF8.self)) }
        }
    }
}
