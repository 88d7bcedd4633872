import Foundation
import GRDB
import Testing
import Wire
@testable import EdgeAgent

/// [ENROLL-8]: a home has at most one token that can enroll it. Issuing a
/// token supersedes the home's older unused ones, and enrolling supersedes
/// every other unused one, so a leaked old token can never re-enroll a home
/// that has joined (and lock its running agent out).
@Suite struct RegistryJoinTokenSupersessionTests {
    static let t0 = RegistryFixture.t0

    @Test("issuing a token supersedes the home's older unused tokens, and only that home's")
    func issuingSupersedesOlderTokens() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            _ = try await registry.createHome(name: "beta", now: Self.t0)
            let first = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            let beta = try await registry.issueJoinToken(home: "beta", ttl: .seconds(3600), now: Self.t0)
            let second = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)

            await #expect(throws: RegistryError.tokenSuperseded) {
                try await registry.redeemJoinToken(id: first.id, secret: first.secret, now: Self.t0)
            }
            // Only the secret's holder learns that the token was superseded.
            await #expect(throws: RegistryError.tokenUnknown) {
                try await registry.redeemJoinToken(id: first.id, secret: [UInt8](repeating: 7, count: 32), now: Self.t0)
            }
            #expect(try await registry.redeemJoinToken(id: second.id, secret: second.secret, now: Self.t0).name == "alpha")
            #expect(try await registry.redeemJoinToken(id: beta.id, secret: beta.secret, now: Self.t0).name == "beta")
            // The refused attempt did not spend or revive anything.
            await #expect(throws: RegistryError.tokenSuperseded) {
                try await registry.redeemJoinToken(id: first.id, secret: first.secret, now: Self.t0)
            }
        }
    }

    @Test("enrolling supersedes every other unused token of the home; a token issued afterwards re-enrolls it")
    func enrollingSupersedesTheOthers() async throws {
        try await RegistryFixture.with { registry, directory in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            let current = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: Self.t0)
            // A second outstanding token, as an edge from before [ENROLL-8] could hold;
            // the issue rule alone never leaves two.
            let raw = try RegistryFixture.rawQueue(directory)
            let stray = try await raw.write { db in try Self.insertToken(db, home: "alpha", createdAt: Self.t0) }
            try raw.close()

            _ = try await registry.redeemJoinToken(id: current.id, secret: current.secret, now: Self.t0)
            await #expect(throws: RegistryError.tokenSuperseded) {
                try await registry.redeemJoinToken(id: stray.id, secret: stray.secret, now: Self.t0)
            }
            let later = Self.t0.addingTimeInterval(60)
            let fresh = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: later)
            #expect(try await registry.redeemJoinToken(id: fresh.id, secret: fresh.secret, now: later).name == "alpha")
        }
    }

    @Test("racing redemptions and an issue for one home: the older token never enrolls, exactly one token stays live")
    func racingIssueAndRedeemStayConsistent() async throws {
        try await RegistryFixture.with { registry, directory in
            for round in 0..<20 {
                let home = "race-\(round)"
                _ = try await registry.createHome(name: home, now: Self.t0)
                let older = try await registry.issueJoinToken(home: home, ttl: .seconds(3600), now: Self.t0)
                let newer = try await registry.issueJoinToken(home: home, ttl: .seconds(3600), now: Self.t0)

                // Started in either order, so both ways the race can go are taken.
                let (olderOutcome, newerOutcome, latest) = try await Self.race(
                    registry, home: home, older: older, newer: newer, issueFirst: round.isMultiple(of: 2))

                #expect(olderOutcome == .failure(.tokenSuperseded), "round \(round)")
                // The newer token enrolls exactly when its redemption committed before the third token's issue.
                let log = try await registry.auditLog(limit: 10)
                let redeemedAt = log.first { $0.action == "token.redeem" && $0.detail.contains(newer.id) }?.id
                let latestIssuedAt = try #require(log.first { $0.action == "token.issue" && $0.detail.contains(latest.id) }?.id)
                if let redeemedAt {
                    #expect(newerOutcome == .success(home) && redeemedAt < latestIssuedAt, "round \(round)")
                } else {
                    #expect(newerOutcome == .failure(.tokenSuperseded), "round \(round)")
                }
                #expect(try await Self.liveTokens(directory, home: home) == [latest.id], "round \(round)")
            }
        }
    }

    @Test("an edge upgraded in place supersedes the tokens the new rule would have: a leaked first token is refused")
    func migrationSupersedesLegacyTokens() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-registry-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let t1 = Self.t0.addingTimeInterval(60), t2 = Self.t0.addingTimeInterval(120)
        let previous = try RegistryFixture.rawQueue(directory)
        try RegistrySchema.migrator.migrate(previous, upTo: "v3")
        let tokens = try await previous.write { db in
            for name in ["alice", "bob", "carol"] {
                try db.execute(
                    sql: "INSERT INTO homes (name, state, created_at, updated_at) VALUES (?, 'active', ?, ?)",
                    arguments: [name, Self.t0, Self.t0])
            }
            // alice: the reported attack's state, her first token still unused after she joined with a second.
            let aliceFirst = try Self.insertToken(db, home: "alice", createdAt: Self.t0)
            _ = try Self.insertToken(db, home: "alice", createdAt: t1, usedAt: t1)
            // bob joined with his first token, then was issued another he has not used yet: it stays valid.
            _ = try Self.insertToken(db, home: "bob", createdAt: Self.t0, usedAt: Self.t0)
            let bobSecond = try Self.insertToken(db, home: "bob", createdAt: t1)
            // carol holds two unused tokens: only the newer one stays valid.
            let carolFirst = try Self.insertToken(db, home: "carol", createdAt: Self.t0)
            let carolSecond = try Self.insertToken(db, home: "carol", createdAt: t1)
            return [aliceFirst, bobSecond, carolFirst, carolSecond]
        }
        try previous.close()

        let registry = try RegistryFixture.open(directory)
        await #expect(throws: RegistryError.tokenSuperseded) {
            try await registry.redeemJoinToken(id: tokens[0].id, secret: tokens[0].secret, now: t2)
        }
        await #expect(throws: RegistryError.tokenSuperseded) {
            try await registry.redeemJoinToken(id: tokens[2].id, secret: tokens[2].secret, now: t2)
        }
        #expect(try await registry.redeemJoinToken(id: tokens[1].id, secret: tokens[1].secret, now: t2).name == "bob")
        #expect(try await registry.redeemJoinToken(id: tokens[3].id, secret: tokens[3].secret, now: t2).name == "carol")
        try registry.close()
    }

    /// A token row written directly, as an older edge left it; returns its id and secret.
    static func insertToken(
        _ db: Database, home: String, createdAt: Date, usedAt: Date? = nil
    ) throws -> (id: String, secret: [UInt8]) {
        var random = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &random) }
        let id = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: .min ... .max, using: &random)) }.joined()
        try db.execute(
            sql: """
                INSERT INTO join_tokens (id, home_id, secret_sha256, expires_at, used_at, created_at)
                SELECT ?, id, ?, ?, ?, ? FROM homes WHERE name = ?
                """,
            arguments: [id, Data(SHA256.hash(secret)), createdAt.addingTimeInterval(86_400), usedAt, createdAt, home])
        return (id, secret)
    }

    /// What one redemption came to: the home's name, or the registry's refusal.
    enum Outcome: Equatable {
        case success(String)
        case failure(RegistryError)
    }

    static func redeem(_ registry: Registry, _ token: IssuedToken) async -> Outcome {
        do throws(RegistryError) {
            return .success(try await registry.redeemJoinToken(id: token.id, secret: token.secret, now: t0).name)
        } catch {
            return .failure(error)
        }
    }

    /// Redeems `older` and `newer` while a third token is issued for `home`,
    /// all three at once; `issueFirst` starts the issue before the redemptions.
    static func race(
        _ registry: Registry, home: String, older: IssuedToken, newer: IssuedToken, issueFirst: Bool
    ) async throws -> (Outcome, Outcome, IssuedToken) {
        if issueFirst {
            async let issued = registry.issueJoinToken(home: home, ttl: .seconds(3600), now: t0)
            async let olderResult = redeem(registry, older)
            async let newerResult = redeem(registry, newer)
            return try await (olderResult, newerResult, issued)
        }
        async let olderResult = redeem(registry, older)
        async let newerResult = redeem(registry, newer)
        async let issued = registry.issueJoinToken(home: home, ttl: .seconds(3600), now: t0)
        return try await (olderResult, newerResult, issued)
    }

    /// The ids of the home's tokens that could still enroll it, read from the file itself.
    static func liveTokens(_ directory: URL, home: String) async throws -> [String] {
        let raw = try RegistryFixture.rawQueue(directory)
        defer { try? raw.close() }
        return try await raw.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT t.id FROM join_tokens t JOIN homes h ON h.id = t.home_id
                    WHERE h.name = ? AND t.used_at IS NULL AND t.superseded_at IS NULL
                    """,
                arguments: [home])
        }
    }
}
