// Join tokens: the text form round-trips, follows the documented layout, and
// every way an operator can damage it on the way from one terminal to another
// (a changed, lost or extra character, a cut-off end, the wrong thing pasted)
// is refused with an error that says so — never accepted as a different token.

import Foundation
import Testing
@testable import Wire

@Suite struct JoinTokenTests {
    static let id = (0..<16).map { UInt8($0) }
    static let secret = (0..<32).map { UInt8(0xa0 &+ $0) }
    static let pin = SHA256.hash(Array("edge CA".utf8))

    static func token(host: String = "edge.portico.test", port: UInt16 = 8444) throws -> JoinToken {
        try JoinToken(host: host, port: port, id: id, secret: secret, caPin: pin)
    }

    /// A token text for an arbitrary payload, with a correct checksum (for crafted bad payloads).
    static func text(payload: [UInt8]) -> String {
        JoinToken.prefix + Base64URL.encode(payload + JoinToken.checksum(payload))
    }

    static func payload(version: UInt8 = 1, host: String, port: UInt16) -> [UInt8] {
        [version] + id + secret + pin + [UInt8(host.utf8.count)] + Array(host.utf8) + [UInt8(port >> 8), UInt8(port & 0xff)]
    }

    @Test(arguments: [("edge.portico.test", "edge.portico.test", "edge.portico.test:8444"),
                      ("EDGE.Portico.Test", "edge.portico.test", "edge.portico.test:8444"),
                      ("203.0.113.7", "203.0.113.7", "203.0.113.7:8444"),
                      ("[2001:db8::1]", "2001:db8::1", "[2001:db8::1]:8444"),
                      ("::1", "::1", "[::1]:8444")])
    func roundTripsThroughText(_ given: String, _ canonical: String, _ address: String) throws {
        let token = try Self.token(host: given)
        #expect(token.host == canonical)
        #expect(token.address == address)
        let parsed = try JoinToken.parse(token.text)
        #expect(parsed == token)
        #expect(parsed.host == canonical)
        #expect(parsed.port == 8444)
        #expect(parsed.id == Self.id)
        #expect(parsed.secret == Self.secret)
        #expect(parsed.caPin == Self.pin)
        #expect(parsed.version == 1)
    }

    @Test func longestHostAndHighestPortRoundTrip() throws {
        let label = String(repeating: "a", count: 63)
        let host = [label, label, label, String(repeating: "b", count: 61)].joined(separator: ".")
        #expect(host.utf8.count == 253)
        let token = try Self.token(host: host, port: 65535)
        #expect(try JoinToken.parse(token.text) == token)
    }

    @Test func textIsOneCopyPasteSafeLine() throws {
        let text = try Self.token().text
        #expect(text.hasPrefix("portico1-"))
        let allowed = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        #expect(text.dropFirst(9).allSatisfy { allowed.contains($0) })
        #expect(!text.contains("="))
        #expect(text.count < 200)
    }

    @Test func payloadFollowsTheDocumentedLayout() throws {
        let token = try Self.token(port: 0x20ac)
        #expect(token.payload == Self.payload(host: "edge.portico.test", port: 0x20ac))
        let decoded = try Base64URL.decode(token.text.dropFirst(JoinToken.prefix.count).utf8)
        #expect(decoded == token.payload + Array(SHA256.hash(token.payload).prefix(4)))
    }

    @Test func surroundingWhitespaceAndNewlinesAreIgnored() throws {
        let token = try Self.token()
        #expect(try JoinToken.parse("  \(token.text)\r\n") == token)
        #expect(try JoinToken.parse("\n\t\(token.text)\n") == token)
    }

    @Test func generatedTokensHaveFreshRandomIdAndSecret() throws {
        let a = try JoinToken.generate(host: "edge.portico.test", port: 8444, caPin: Self.pin)
        let b = try JoinToken.generate(host: "edge.portico.test", port: 8444, caPin: Self.pin)
        #expect(a.id.count == 16 && a.secret.count == 32)
        #expect(a.id != b.id)
        #expect(a.secret != b.secret)
        #expect(try JoinToken.parse(a.text) == a)
    }

    @Test func descriptionNeverShowsTheSecret() throws {
        let token = try Self.token()
        #expect(token.description.contains("edge.portico.test:8444"))
        #expect(token.description.contains(token.idHex))
        #expect(!token.description.contains(SHA256.hex(Self.secret)))
        #expect(!token.description.contains(token.text.dropFirst(9).prefix(20)))
    }

    @Test func invalidPartsAreRefusedWhenBuilding() {
        #expect(throws: JoinTokenError.invalidPort) { try Self.token(port: 0) }
        #expect(throws: JoinTokenError.invalidHost("bad host")) { try Self.token(host: "bad host") }
        #expect(throws: JoinTokenError.invalidFieldLength(field: "id", expected: 16, actual: 15)) {
            try JoinToken(host: "a.test", port: 1, id: Array(Self.id.dropLast()), secret: Self.secret, caPin: Self.pin)
        }
        #expect(throws: JoinTokenError.invalidFieldLength(field: "secret", expected: 32, actual: 0)) {
            try JoinToken(host: "a.test", port: 1, id: Self.id, secret: [], caPin: Self.pin)
        }
        #expect(throws: JoinTokenError.invalidFieldLength(field: "CA pin", expected: 32, actual: 33)) {
            try JoinToken(host: "a.test", port: 1, id: Self.id, secret: Self.secret, caPin: Self.pin + [0])
        }
    }
}
