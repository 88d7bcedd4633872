import Foundation
import GRDB
import Testing
import Wire
@testable import EdgeAgent

/// The per-home TCP port quota (issue 10, defect 4): one home can no longer
/// take every public TCP port from the others.
@Suite struct RegistryPortQuotaTests {
    let t0 = RegistryFixture.t0
    let ports = RegistryFixture.ports

    private func tcp(_ names: [String]) -> [ForwardDeclaration] {
        names.map { ForwardDeclaration(name: $0, type: .tcp) }
    }

    private func ports(_ results: [ForwardSyncResult]) -> [String: Int] {
        Dictionary(uniqueKeysWithValues: results.compactMap { result in
            result.acceptedPort.map { (result.name, $0) }
        })
    }

    private func errors(_ results: [ForwardSyncResult]) -> [String: RegistryError] {
        Dictionary(uniqueKeysWithValues: results.compactMap { result in
            if case .rejected(let name, let error) = result { (name, error) } else { nil }
        })
    }

    @Test("a home gets at most its quota of ports; the rest of its forwards still sync, and other homes get ports")
    func quotaRefusesOnlyTheForwardsBeyondIt() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            _ = try await registry.createHome(name: "beta", now: t0)
            try await registry.claimDomain("example.com", home: "alpha", now: t0)
            #expect(try await registry.home(named: "alpha")?.tcpPortQuota == Home.defaultTCPPortQuota)

            let names = (1...12).map { "t\($0)" }
            let declarations = tcp(names) + [ForwardDeclaration(name: "web", type: .https, hostname: "example.com")]
            // A range of 15 ports: without the quota alpha would take 12 and leave beta 3.
            let range = 10_000...10_014
            let results = try await registry.syncForwards(home: "alpha", declarations: declarations, tcpPortRange: range, now: t0)
            #expect(results.map(\.name) == names + ["web"])
            #expect(Set(ports(results).keys) == Set(names.prefix(10)))
            #expect(errors(results) == [
                "t11": .portQuotaExceeded(home: "alpha", quota: 10), "t12": .portQuotaExceeded(home: "alpha", quota: 10),
            ])
            #expect(results.last.map { if case .accepted = $0 { true } else { false } } == true)
            let message = RegistryError.portQuotaExceeded(home: "alpha", quota: 10).message
            #expect(message.contains("at most 10 public TCP ports"))
            #expect(message.contains("edgeagent home limit alpha --tcp-ports N"))
            #expect(try await registry.forwards(of: "alpha").first { $0.name == "t11" }?.error == message)

            let beta = try await registry.syncForwards(
                home: "beta", declarations: tcp(["a", "b", "c", "d", "e"]), tcpPortRange: range, now: t0)
            #expect(ports(beta).count == 5, "\(beta)")
            #expect(try await registry.routes().filter { $0.home == "alpha" }.count == 11)
        }
    }

    @Test("forwards that hold a port keep it ahead of new ones, also when the quota is lowered")
    func heldPortsComeFirst() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", tcpPortQuota: 2, now: t0)
            let first = ports(try await registry.syncForwards(
                home: "alpha", declarations: tcp(["a", "b"]), tcpPortRange: ports, now: t0))
            #expect(first == ["a": 10_000, "b": 10_001])

            // A new forward declared first does not push out a or b.
            let withNew = try await registry.syncForwards(
                home: "alpha", declarations: tcp(["new", "a", "b"]), tcpPortRange: ports, now: t0)
            #expect(withNew.map(\.name) == ["new", "a", "b"])
            #expect(ports(withNew) == first)
            #expect(errors(withNew) == ["new": .portQuotaExceeded(home: "alpha", quota: 2)])

            // Raised: the new one gets a port, the others keep theirs.
            _ = try await registry.updateLimits(home: "alpha", tcpPortQuota: 3, now: t0)
            let raised = ports(try await registry.syncForwards(
                home: "alpha", declarations: tcp(["new", "a", "b"]), tcpPortRange: ports, now: t0))
            #expect(raised == ["new": 10_002, "a": 10_000, "b": 10_001])

            // Lowered: the first holders in declaration order keep theirs, the rest are released.
            _ = try await registry.updateLimits(home: "alpha", tcpPortQuota: 1, now: t0)
            let lowered = try await registry.syncForwards(
                home: "alpha", declarations: tcp(["new", "a", "b"]), tcpPortRange: ports, now: t0)
            #expect(ports(lowered) == ["new": 10_002])
            #expect(Set(errors(lowered).keys) == ["a", "b"])
            #expect(try await registry.routes().map(\.key) == [.port(10_002)])

            // Zero: no TCP forwards at all.
            _ = try await registry.updateLimits(home: "alpha", tcpPortQuota: 0, now: t0)
            let none = try await registry.syncForwards(
                home: "alpha", declarations: tcp(["new"]), tcpPortRange: ports, now: t0)
            #expect(errors(none) == ["new": .portQuotaExceeded(home: "alpha", quota: 0)])
            #expect(RegistryError.portQuotaExceeded(home: "alpha", quota: 0).message.hasPrefix(
                "Home 'alpha' may hold no public TCP port (its quota is 0); remove a TCP forward"))
        }
    }

    @Test("with the quota full, a port outside the range or held by another home is refused for that reason, not the quota")
    func specificPortReasonsComeBeforeTheQuota() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", tcpPortQuota: 1, now: t0)
            _ = try await registry.createHome(name: "beta", now: t0)
            _ = try await registry.syncForwards(
                home: "beta", declarations: [ForwardDeclaration(name: "db", type: .tcp, port: 10_005)],
                tcpPortRange: ports, now: t0)
            // alpha's one port, held from an earlier sync: it is judged first.
            _ = try await registry.syncForwards(home: "alpha", declarations: tcp(["first"]), tcpPortRange: ports, now: t0)
            let results = try await registry.syncForwards(
                home: "alpha",
                declarations: tcp(["first"]) + [
                    ForwardDeclaration(name: "far", type: .tcp, port: 2222),
                    ForwardDeclaration(name: "held", type: .tcp, port: 10_005),
                    ForwardDeclaration(name: "free", type: .tcp, port: 10_050),
                ],
                tcpPortRange: ports, now: t0)
            #expect(ports(results) == ["first": 10_000])
            #expect(errors(results) == [
                "far": .portOutsideRange(port: 2222, range: ports),
                "held": .portTaken(port: 10_005, by: .otherHome),
                "free": .portQuotaExceeded(home: "alpha", quota: 1),
            ])
        }
    }

    @Test("the quota is stored, validated, audited and kept by bandwidth-only changes")
    func quotaIsStoredAndValidated() async throws {
        try await RegistryFixture.with { registry, _ in
            let created = try await registry.createHome(name: "alpha", tcpPortQuota: 3, now: t0)
            #expect(created.tcpPortQuota == 3)
            let changed = try await registry.updateLimits(home: "alpha", tcpPortQuota: 25, now: t0)
            #expect(changed.tcpPortQuota == 25)
            let bandwidth = try await registry.setBandwidth(home: "alpha", upload: 500, download: nil, burst: nil, now: t0)
            #expect(bandwidth.tcpPortQuota == 25 && bandwidth.uploadLimitKbps == 500)
            await #expect(throws: RegistryError.invalidTCPPortQuota(-1)) {
                try await registry.updateLimits(home: "alpha", tcpPortQuota: -1, now: t0)
            }
            await #expect(throws: RegistryError.invalidTCPPortQuota(65_536)) {
                try await registry.createHome(name: "beta", tcpPortQuota: 65_536, now: t0)
            }
            #expect(try await registry.home(named: "beta") == nil)
            let audit = try await registry.auditLog()
            #expect(audit.map(\.action) == ["home.bandwidth", "home.tcp_port_quota", "home.create"])
            #expect(audit[1].detail.contains(#""tcp_port_quota":"25""#), "\(audit[1].detail)")
        }
    }

    @Test("an existing registry is migrated with every home at the default quota, and the schema bounds it")
    func migrationGivesExistingHomesTheDefault() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-registry-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // A registry as the previous release left it: schema v1 with a home.
        let old = try RegistryFixture.rawQueue(directory)
        try RegistrySchema.migrator.migrate(old, upTo: "v1")
        try await old.write { db in
            try db.execute(sql: """
                INSERT INTO homes (name, state, created_at, updated_at) VALUES ('legacy', 'active', ?, ?)
                """, arguments: [t0, t0])
        }
        try old.close()

        let registry = try RegistryFixture.open(directory)
        #expect(try await registry.home(named: "legacy")?.tcpPortQuota == Home.defaultTCPPortQuota)
        let applied = try await registry.pool.read { db in try RegistrySchema.migrator.appliedMigrations(db) }
        #expect(applied == RegistrySchema.migrator.migrations)
        try registry.close()

        let raw = try RegistryFixture.rawQueue(directory)
        #expect(throws: DatabaseError.self) {
            try raw.write { db in try db.execute(sql: "UPDATE homes SET tcp_port_quota = -1") }
        }
        try raw.close()
    }
}
