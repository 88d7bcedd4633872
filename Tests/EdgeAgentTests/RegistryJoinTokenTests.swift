import Foundation
import GRDB
import Testing
import Wire
@testable import EdgeAgent

@Suite struct RegistryJoinTokenTests {
    let t0 = RegistryFixture.t0

    @Test func issuedTokenIsRandomAndOnlyItsHashIsStored() async throws {
        try await RegistryFixture.with { registry, directory in
            _ = try await registry.createHome(name: "alpha", now: t0)
            let a = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(86_400), now: t0)
            let b = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(86_400), now: t0)
            #expect(a.idBytes.count == 16 && a.secret.count == 32)
            #expect(a.id.count == 32 && a.id == a.id.lowercased())
            #expect(a.id != b.id && a.secret != b.secret)
            #expect(a.expiresAt == t0.addingTimeInterval(86_400))

            let raw = try RegistryFixture.rawQueue(directory)
            let stored = try await raw.read { db in
                try Data.fetchOne(db, sql: "SELECT secret_sha256 FROM join_tokens WHERE id = ?", arguments: [a.id])
            }
            let allBlobs = try await raw.read { db in
                try Data.fetchAll(db, sql: "SELECT secret_sha256 FROM join_tokens")
            }
            try raw.close()
            #expect(stored.map(Array.init) == SHA256.hash(a.secret))
            #expect(!allBlobs.contains(Data(a.secret)) && !allBlobs.contains(Data(b.secret)))
            // The audit row names the token but never holds the secret.
            let entry = try #require(try await registry.auditLog().first)
            #expect(entry.action == "token.issue" && entry.detail.contains(b.id))
            #expect(!entry.detail.contains(SHA256.hex(b.secret)))
        }
    }

    @Test func redeemingMarksTheTokenUsedAndReuseFails() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            let token = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: t0)
            let home = try await registry.redeemJoinToken(id: token.id.uppercased(), secret: token.secret, now: t0)
            #expect(home.name == "alpha")
            await #expect(throws: RegistryError.tokenUsed) {
                try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0.addingTimeInterval(1))
            }
            let entry = try #require(try await registry.auditLog().first)
            #expect(entry.action == "token.redeem" && entry.actor == "home:alpha")
        }
    }

    @Test func expiredTokenIsRefusedAtAndAfterItsExpiry() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            let token = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(60), now: t0)
            await #expect(throws: RegistryError.tokenExpired) {
                try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0.addingTimeInterval(60))
            }
            // A refused attempt does not consume the token: it is still merely expired.
            await #expect(throws: RegistryError.tokenExpired) {
                try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0.addingTimeInterval(3600))
            }
            _ = try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0.addingTimeInterval(59))
        }
    }

    @Test func wrongSecretReadsAsUnknownAndDoesNotConsumeTheToken() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            let token = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(60), now: t0)
            var wrong = token.secret
            wrong[0] ^= 1
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: token.id, secret: wrong, now: t0)
            }
            // Even for an expired or used token, a wrong secret learns nothing more.
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: token.id, secret: wrong, now: t0.addingTimeInterval(3600))
            }
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: token.id, secret: [], now: t0)
            }
            _ = try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0)
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: token.id, secret: wrong, now: t0)
            }
        }
    }

    @Test(arguments: ["", "00", String(repeating: "0", count: 32), String(repeating: "z", count: 10_000)])
    func unknownOrMalformedTokenIDIsUnknown(id: String) async throws {
        try await RegistryFixture.with { registry, _ in
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: id, secret: [UInt8](repeating: 0, count: 32), now: t0)
            }
        }
    }

    @Test func issuingNeedsAnExistingHomeAndASaneLifetime() async throws {
        try await RegistryFixture.with { registry, _ in
            await #expect(throws: RegistryError.homeNotFound("ghost")) {
                try await registry.issueJoinToken(home: "ghost", ttl: .seconds(60), now: t0)
            }
            _ = try await registry.createHome(name: "alpha", now: t0)
            await #expect(throws: RegistryError.invalidTTL) {
                try await registry.issueJoinToken(home: "alpha", ttl: .zero, now: t0)
            }
            await #expect(throws: RegistryError.invalidTTL) {
                try await registry.issueJoinToken(home: "alpha", ttl: .seconds(400 * 86_400), now: t0)
            }
        }
    }

    @Test func deletingTheHomeInvalidatesItsTokens() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            let token = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(60), now: t0)
            try await registry.deleteHome(named: "alpha", now: t0)
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0)
            }
        }
    }

    @Test func constantTimeComparison() {
        #expect(Registry.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Registry.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Registry.constantTimeEqual([1, 2, 3], [1, 2]))
    }
}
