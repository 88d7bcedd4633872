import Foundation
import Testing
@testable import EdgeAgent

/// A home writes audit entries (every forward sync that changes something),
/// so the log is bounded whatever a home does: each entry names at most 20
/// forwards, and only the newest entries are kept. A home's filtered log
/// also shows what the operator did for it.
@Suite struct RegistryAuditBoundsTests {
    static let t0 = RegistryFixture.t0

    @Test("a long list of names in a detail is cut to 20 and a count; a short one is kept whole")
    func detailListsAreBounded() {
        let names = (1...200).map { "forward-\($0)" }.joined(separator: ",")
        let bounded = Registry.bounded(names)
        #expect(bounded.hasPrefix("forward-1,forward-2,"))
        #expect(bounded.hasSuffix("forward-20,… (180 more)"))
        #expect(Registry.bounded("a,b,c") == "a,b,c")
        #expect(Registry.bounded("") == "")
    }

    @Test("only the newest entries are kept, and none of those can be deleted")
    func retention() async throws {
        try await RegistryFixture.with { registry, _ in
            let total = Registry.auditRetention + 3
            try await registry.write { db in
                for index in 1...total {
                    try Registry.audit(db, time: Self.t0, actor: .system, action: "test", subject: "s\(index)")
                }
            }
            let kept = try await registry.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_log") ?? 0 }
            #expect(kept == Registry.auditRetention)
            #expect(try await registry.auditLog(limit: 1).map(\.subject) == ["s\(total)"])
            await #expect(throws: RegistryError.self) {
                try await registry.write { db in try db.execute(sql: "DELETE FROM audit_log WHERE subject = 's4'") }
            }
            await #expect(throws: RegistryError.self) {
                try await registry.write { db in try db.execute(sql: "UPDATE audit_log SET subject = 'x' WHERE subject = 's5'") }
            }
        }
    }

    @Test("a home's log includes the domains the operator claimed for it")
    func operatorClaimsAreInTheHomesLog() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alice", now: Self.t0)
            _ = try await registry.createHome(name: "bob", now: Self.t0)
            _ = try await registry.claimDomain("example.com", home: "alice", now: Self.t0, actor: .admin)
            #expect(try await registry.auditLog(home: "alice").contains { $0.action == "domain.claim" && $0.subject == "example.com" })
            #expect(try await !registry.auditLog(home: "bob").contains { $0.action == "domain.claim" })
        }
    }
}
