import Foundation
import Testing
@testable import EdgeAgent

@Suite struct RegistryHomeTests {
    let t0 = RegistryFixture.t0
    let fingerprint = String(repeating: "ab", count: 32)

    @Test func createdHomeIsPendingWithItsLimitsAndAudited() async throws {
        try await RegistryFixture.with { registry, _ in
            let home = try await registry.createHome(
                name: "Alpha", uploadLimitKbps: 1_000, downloadLimitKbps: nil, now: t0)
            #expect(home.name == "alpha")
            #expect(home.state == .pending)
            #expect(home.uploadLimitKbps == 1_000)
            #expect(home.downloadLimitKbps == nil)
            #expect(home.certificateSHA256 == nil)
            #expect(home.createdAt == t0 && home.updatedAt == t0)
            #expect(try await registry.home(named: "ALPHA") == home)
            #expect(try await registry.home(named: "beta") == nil)
            let entry = try #require(try await registry.auditLog().first)
            #expect(entry.action == "home.create" && entry.subject == "alpha" && entry.time == t0)
            #expect(entry.detail.contains("\"upload_kbps\":\"1000\""))
        }
    }

    @Test func namesAreUniqueRegardlessOfCase() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            await #expect(throws: RegistryError.homeExists("alpha")) {
                try await registry.createHome(name: "ALPHA", now: t0)
            }
            #expect(try await registry.homes().count == 1)
        }
    }

    @Test(arguments: ["", "-alpha", "alpha-", "al pha", "al_pha", "älpha", String(repeating: "a", count: 64),
                      String(repeating: "x", count: 10_000)])
    func malformedNamesAreRejected(name: String) async throws {
        try await RegistryFixture.with { registry, _ in
            await #expect {
                try await registry.createHome(name: name, now: t0)
            } throws: { error in
                if case RegistryError.invalidName(let reason) = error { reason.count < 200 } else { false }
            }
            let homes = try await registry.homes()
            #expect(homes.isEmpty)
        }
    }

    @Test func bandwidthOutsideRangeIsRejected() async throws {
        try await RegistryFixture.with { registry, _ in
            await #expect(throws: RegistryError.invalidBandwidth(99)) {
                try await registry.createHome(name: "alpha", uploadLimitKbps: 99, now: t0)
            }
            _ = try await registry.createHome(name: "alpha", now: t0)
            await #expect(throws: RegistryError.invalidBandwidth(10_000_001)) {
                try await registry.setBandwidth(home: "alpha", upload: nil, download: 10_000_001, burst: nil, now: t0)
            }
            await #expect(throws: RegistryError.invalidBurst(0)) {
                try await registry.setBandwidth(home: "alpha", upload: nil, download: nil, burst: 0, now: t0)
            }
            await #expect(throws: RegistryError.homeNotFound("beta")) {
                try await registry.setBandwidth(home: "beta", upload: 100, download: 100, burst: nil, now: t0)
            }
        }
    }

    @Test func setBandwidthStoresLimitsAndNilMeansUnlimited() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", uploadLimitKbps: 500, now: t0)
            let t1 = t0.addingTimeInterval(60)
            let limited = try await registry.setBandwidth(
                home: "alpha", upload: 100, download: 10_000_000, burst: 65_536, now: t1)
            #expect(limited.uploadLimitKbps == 100 && limited.downloadLimitKbps == 10_000_000)
            #expect(limited.burstBytes == 65_536 && limited.updatedAt == t1)
            let unlimited = try await registry.setBandwidth(home: "alpha", upload: nil, download: nil, burst: nil, now: t1)
            #expect(unlimited.uploadLimitKbps == nil && unlimited.downloadLimitKbps == nil && unlimited.burstBytes == nil)
            #expect(try await registry.auditLog().map(\.action) == ["home.bandwidth", "home.bandwidth", "home.create"])
        }
    }

    @Test("partial updates racing on different fields of one home both survive")
    func concurrentPartialUpdatesKeepEachOther() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            for round in 1...30 {
                async let upload = registry.updateLimits(
                    home: "alpha", upload: .to(100 + round), download: .unchanged, burst: .unchanged, now: t0)
                async let download = registry.updateLimits(
                    home: "alpha", upload: .unchanged, download: .to(200 + round), burst: .unchanged, now: t0)
                _ = try await (upload, download)
                let home = try #require(try await registry.home(named: "alpha"))
                #expect(home.uploadLimitKbps == 100 + round && home.downloadLimitKbps == 200 + round)
            }
            await #expect(throws: RegistryError.self) {
                _ = try await registry.updateLimits(
                    home: "alpha", upload: .to(99), download: .unchanged, burst: .unchanged, now: t0)
            }
        }
    }

    @Test func certificateActivatesHomeAndFindsItByFingerprint() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            _ = try await registry.createHome(name: "beta", now: t0)
            let active = try await registry.setCertificate(home: "alpha", fingerprint: fingerprint.uppercased(), now: t0)
            #expect(active.state == .active && active.certificateSHA256 == fingerprint)
            #expect(try await registry.homeByFingerprint(fingerprint)?.name == "alpha")
            #expect(try await registry.homeByFingerprint(String(repeating: "cd", count: 32)) == nil)
            #expect(try await registry.homeByFingerprint("not hex") == nil)

            await #expect(throws: RegistryError.fingerprintInUse) {
                try await registry.setCertificate(home: "beta", fingerprint: fingerprint, now: t0)
            }
            await #expect(throws: RegistryError.invalidFingerprint) {
                try await registry.setCertificate(home: "beta", fingerprint: "abc", now: t0)
            }
            let revoked = try await registry.setCertificate(home: "alpha", fingerprint: nil, now: t0)
            #expect(revoked.state == .pending && revoked.certificateSHA256 == nil)
            #expect(try await registry.homeByFingerprint(fingerprint) == nil)
        }
    }

    @Test func deleteCascadesToTokensDomainsAndForwards() async throws {
        try await RegistryFixture.with { registry, directory in
            _ = try await registry.createHome(name: "alpha", now: t0)
            _ = try await registry.issueJoinToken(home: "alpha", ttl: .seconds(3600), now: t0)
            try await registry.claimDomain("example.com", home: "alpha", now: t0)
            _ = try await registry.syncForwards(
                home: "alpha",
                declarations: [.init(name: "web", type: .https, hostname: "example.com"), .init(name: "ssh", type: .tcp)],
                tcpPortRange: RegistryFixture.ports, now: t0)

            try await registry.deleteHome(named: "Alpha", now: t0)

            #expect(try await registry.home(named: "alpha") == nil)
            #expect(try await registry.allDomains().isEmpty)
            #expect(try await registry.routes().isEmpty)
            let raw = try RegistryFixture.rawQueue(directory)
            let leftovers = try await raw.read { db in
                try ["join_tokens", "domains", "forwards"].map { table in
                    try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? -1
                }
            }
            try raw.close()
            #expect(leftovers == [0, 0, 0])
            let delete = try #require(try await registry.auditLog().first)
            #expect(delete.action == "home.delete" && delete.subject == "alpha")
            #expect(delete.detail.contains("\"forwards\":\"ssh,web\""))
            // The name is free again.
            _ = try await registry.createHome(name: "alpha", now: t0)
        }
    }

    @Test func deletingAnUnknownHomeIsTyped() async throws {
        try await RegistryFixture.with { registry, _ in
            await #expect(throws: RegistryError.homeNotFound("ghost")) {
                try await registry.deleteHome(named: "ghost", now: t0)
            }
            let entries = try await registry.auditLog()
            #expect(entries.isEmpty)
        }
    }
}
