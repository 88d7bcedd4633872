import Foundation
import GRDB
import Testing
@testable import EdgeAgent

/// The registry's side of certificate renewal ([CERT-2]).
@Suite struct RegistryRenewalTests {
    static let t0 = RegistryFixture.t0
    static let old = String(repeating: "ab", count: 32)
    static let new = String(repeating: "cd", count: 32)

    @Test("an edge upgraded in place keeps admitting its homes: v3 adds renewal columns, nothing pending")
    func migrationKeepsHomesAdmitted() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-registry-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let previous = try RegistryFixture.rawQueue(directory)
        try RegistrySchema.migrator.migrate(previous, upTo: "v2")
        try await previous.write { db in
            try db.execute(sql: """
                INSERT INTO homes (name, state, certificate_sha256, created_at, updated_at)
                VALUES ('legacy', 'active', ?, ?, ?)
                """, arguments: [Self.old, Self.t0, Self.t0])
        }
        try previous.close()

        let registry = try RegistryFixture.open(directory)
        let home = try #require(try await registry.homeByFingerprint(Self.old))
        #expect(home.name == "legacy" && home.pendingCertificateSHA256 == nil && home.certificateRenewedAt == nil)
        _ = try await registry.recordRenewal(home: "legacy", fingerprint: Self.new, now: Self.t0)
        #expect(try await registry.homeByFingerprint(Self.new)?.name == "legacy")
        try registry.close()

        let raw = try RegistryFixture.rawQueue(directory)
        #expect(throws: DatabaseError.self) {
            try raw.write { db in try db.execute(sql: "UPDATE homes SET pending_certificate_sha256 = 'short'") }
        }
        try raw.close()
    }

    @Test("renewal is refused within the hour and allowed after it; re-enrolling drops a pending renewal")
    func rateLimitAndReenrollment() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: Self.t0)
            _ = try await registry.setCertificate(home: "alpha", fingerprint: Self.old, now: Self.t0)
            _ = try await registry.recordRenewal(home: "alpha", fingerprint: Self.new, now: Self.t0)
            let soon = Self.t0.addingTimeInterval(3599)
            await #expect(throws: RegistryError.renewalTooSoon(next: Self.t0.addingTimeInterval(3600))) {
                try await registry.checkRenewalAllowed(home: "alpha", now: soon)
            }
            let third = String(repeating: "ef", count: 32)
            await #expect(throws: RegistryError.renewalTooSoon(next: Self.t0.addingTimeInterval(3600))) {
                _ = try await registry.recordRenewal(home: "alpha", fingerprint: third, now: soon)
            }
            let later = Self.t0.addingTimeInterval(3600)
            let renewed = try await registry.recordRenewal(home: "alpha", fingerprint: third, now: later)
            #expect(renewed.pendingCertificateSHA256 == third && renewed.certificateSHA256 == Self.old)
            #expect(try await registry.homeByFingerprint(Self.new) == nil, "a replaced pending certificate is not admitted")
            _ = try await registry.setCertificate(home: "alpha", fingerprint: Self.new, now: later)
            #expect(try await registry.home(named: "alpha")?.pendingCertificateSHA256 == nil)
            #expect(try await registry.homeByFingerprint(third) == nil)
        }
    }
}
