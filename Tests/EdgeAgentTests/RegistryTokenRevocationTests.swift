import Foundation
import Testing
@testable import EdgeAgent

/// Listing and revoking join tokens, and what a revoked token or a disabled
/// home meets at join.
@Suite struct RegistryTokenRevocationTests {
    static let t0 = RegistryFixture.t0

    @Test("tokens are listed newest first with what became of each: unused, superseded, used, expired")
    func listShowsEachTokensFate() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            let first = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(60), now: Self.t0)
            let second = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            var tokens = try await registry.joinTokens(home: "ALPHA")
            #expect(tokens.map(\.id) == [second.id, first.id])
            #expect(tokens.map { $0.status(now: Self.t0) } == [.unused, .superseded])
            #expect(tokens[0].expiresAt == Self.t0.addingTimeInterval(3600))
            #expect(tokens[1].status(now: Self.t0.addingTimeInterval(120)) == .superseded)
            #expect(tokens[0].status(now: Self.t0.addingTimeInterval(3600)) == .expired)

            _ = try await registry.redeemJoinToken(id: second.id, secret: second.secret, now: Self.t0)
            tokens = try await registry.joinTokens(home: "alpha")
            #expect(tokens[0].status(now: Self.t0.addingTimeInterval(7200)) == .used)
            await #expect(throws: RegistryError.homeNotFound("nope")) { try await registry.joinTokens(home: "nope") }
        }
    }

    @Test("a revoked token is refused at join with its own error, and revoking it again changes nothing")
    func revokedTokenIsRefused() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            let token = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            let revoked = try await registry.revokeJoinToken(home: "alpha", id: String(token.id.prefix(8)).uppercased(), now: Self.t0)
            #expect(revoked.id == token.id && revoked.status(now: Self.t0) == .revoked)
            await #expect(throws: RegistryError.tokenRevoked) {
                try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: Self.t0)
            }
            let again = try await registry.revokeJoinToken(home: "alpha", id: token.id, now: Self.t0.addingTimeInterval(5))
            #expect(again.revokedAt == Self.t0)
            let revocations = try await registry.auditLog().filter { $0.action == "token.revoke" }
            #expect(revocations.count == 1 && revocations[0].detail.contains(token.id))
            // The home can still be given a token that works.
            let fresh = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            #expect(try await registry.redeemJoinToken(id: fresh.id, secret: fresh.secret, now: Self.t0).name == "alpha")
        }
    }

    @Test("revoking needs an id of the home's own: too short, not hex, another home's, or used are refused")
    func revokeRefusals() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            _ = try await registry.createHome(name: "beta", now: Self.t0)
            let alpha = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            let beta = try await registry.issueJoinToken(home: "beta", ttl: .seconds(3600), now: Self.t0)
            await #expect(throws: RegistryError.tokenIDInvalid("abc")) {
                try await registry.revokeJoinToken(home: "alpha", id: "abc", now: Self.t0)
            }
            await #expect(throws: RegistryError.tokenIDInvalid("zzzzzzzzzz")) {
                try await registry.revokeJoinToken(home: "alpha", id: "zzzzzzzzzz", now: Self.t0)
            }
            await #expect(throws: RegistryError.tokenNotFound(home: "alpha", id: beta.id)) {
                try await registry.revokeJoinToken(home: "alpha", id: beta.id, now: Self.t0)
            }
            _ = try await registry.redeemJoinToken(id: alpha.id, secret: alpha.secret, now: Self.t0)
            await #expect(throws: RegistryError.tokenAlreadyUsed(home: "alpha", id: alpha.id)) {
                try await registry.revokeJoinToken(home: "alpha", id: alpha.id, now: Self.t0)
            }
            // beta's token was untouched by all of it.
            #expect(try await registry.redeemJoinToken(id: beta.id, secret: beta.secret, now: Self.t0).name == "beta")
        }
    }

    @Test("a disabled home keeps its data and certificate and cannot join: the token is not spent")
    func disabledHome() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            let token = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            #expect(try await registry.disableHome(named: "alpha", now: Self.t0).state == .disabled)
            await #expect(throws: RegistryError.homeDisabled("alpha")) {
                try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: Self.t0)
            }
            // Enabled before it ever joined: pending, and the same token now works.
            #expect(try await registry.enableHome(named: "alpha", now: Self.t0).state == .pending)
            _ = try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: Self.t0)
            let fingerprint = String(repeating: "ab", count: 32)
            _ = try await registry.setCertificate(home: "alpha", fingerprint: fingerprint, now: Self.t0)
            #expect(try await registry.disableHome(named: "alpha", now: Self.t0).state == .disabled)
            #expect(try await registry.disableHome(named: "alpha", now: Self.t0).state == .disabled)
            #expect(try await registry.enableHome(named: "alpha", now: Self.t0).state == .active)
            #expect(try await registry.home(named: "alpha")?.certificateSHA256 == fingerprint)
            let actions = try await registry.auditLog(home: "alpha").map(\.action)
            #expect(actions.filter { $0 == "home.disable" }.count == 2 && actions.first == "home.enable")
            await #expect(throws: RegistryError.homeNotFound("nope")) {
                try await registry.disableHome(named: "nope", now: Self.t0)
            }
        }
    }
}
