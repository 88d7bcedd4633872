import Foundation
import Testing
import Wire
@testable import EdgeAgent

@Suite struct RegistryForwardTests {
    let t0 = RegistryFixture.t0
    let ports = RegistryFixture.ports

    /// alpha holds example.com, beta holds other.net.
    private func setUp(_ registry: Registry) async throws {
        _ = try await registry.createHome(name: "alpha", now: t0)
        _ = try await registry.createHome(name: "beta", now: t0)
        try await registry.claimDomain("example.com", home: "alpha", now: t0)
        try await registry.claimDomain("other.net", home: "beta", now: t0)
    }

    private func accepted(_ results: [ForwardSyncResult]) -> [String: Forward] {
        Dictionary(uniqueKeysWithValues: results.compactMap { result in
            if case .accepted(let forward) = result { (forward.name, forward) } else { nil }
        })
    }

    private func rejection(_ results: [ForwardSyncResult], _ name: String) -> RegistryError? {
        for case .rejected(let rejected, let error) in results where rejected == name { return error }
        return nil
    }

    @Test func acceptsAllThreeTypesAndBuildsRoutes() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            let results = try await registry.syncForwards(
                home: "alpha",
                declarations: [
                    .init(name: "web", type: .https, hostname: "Blog.Example.com", proxyProtocol: "v2", target: "127.0.0.1:8443"),
                    .init(name: "app", type: .http, hostname: "app.example.com", compress: true, target: "127.0.0.1:8080"),
                    .init(name: "ssh", type: .tcp, target: "127.0.0.1:22"),
                    .init(name: "all", type: .https, hostname: "*.example.com"),
                ],
                tcpPortRange: ports, now: t0)
            #expect(results.map(\.name) == ["web", "app", "ssh", "all"])
            let forwards = accepted(results)
            #expect(forwards.count == 4)
            #expect(forwards["web"]?.hostname == "blog.example.com" && forwards["web"]?.proxyProtocol == "v2")
            #expect(forwards["web"]?.target == "127.0.0.1:8443" && forwards["web"]?.error == nil)
            #expect(forwards["ssh"]?.publicPort == 10_000 && forwards["ssh"]?.hostname == nil)
            #expect(forwards["all"]?.hostname == "*.example.com")

            let routes = Set(try await registry.routes())
            #expect(routes == [
                Route(key: .hostname("blog.example.com"), type: .https, home: "alpha", forward: "web", proxyProtocol: "v2"),
                Route(key: .hostname("app.example.com"), type: .http, home: "alpha", forward: "app", compress: true),
                Route(key: .port(10_000), type: .tcp, home: "alpha", forward: "ssh"),
                Route(key: .hostname("*.example.com"), type: .https, home: "alpha", forward: "all"),
            ])
            #expect(try await registry.auditLog().first?.action == "forward.sync")
        }
    }

    @Test func resyncIsIdempotentAndKeepsRowsAndPorts() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            let declarations: [ForwardDeclaration] = [
                .init(name: "a", type: .tcp), .init(name: "b", type: .tcp),
                .init(name: "web", type: .https, hostname: "example.com"),
            ]
            let first = accepted(try await registry.syncForwards(
                home: "alpha", declarations: declarations, tcpPortRange: ports, now: t0))
            let auditCount = try await registry.auditLog().count
            let second = accepted(try await registry.syncForwards(
                home: "alpha", declarations: declarations.reversed(), tcpPortRange: ports, now: t0.addingTimeInterval(60)))
            #expect(first == second, "same ids, ports and timestamps")
            #expect(try await registry.auditLog().count == auditCount, "a no-op sync writes no audit row")
        }
    }

    @Test func portsSurviveClosingAndReopeningTheDatabase() async throws {
        try await RegistryFixture.with { registry, directory in
            try await setUp(registry)
            let declarations: [ForwardDeclaration] = [.init(name: "ssh", type: .tcp), .init(name: "db", type: .tcp)]
            _ = try await registry.syncForwards(home: "beta", declarations: [.init(name: "x", type: .tcp)], tcpPortRange: ports, now: t0)
            let before = accepted(try await registry.syncForwards(
                home: "alpha", declarations: declarations, tcpPortRange: ports, now: t0))
            try registry.close()

            let reopened = try RegistryFixture.open(directory)
            // Declared in the other order after the restart: ports follow names, not positions.
            let after = accepted(try await reopened.syncForwards(
                home: "alpha", declarations: declarations.reversed(), tcpPortRange: ports, now: t0))
            try reopened.close()
            #expect(before["ssh"]?.publicPort == 10_001 && before["db"]?.publicPort == 10_002)
            #expect(after["ssh"]?.publicPort == 10_001 && after["db"]?.publicPort == 10_002)
        }
    }

    @Test func removalReleasesAPortThatALaterForwardReuses() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            _ = try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "a", type: .tcp), .init(name: "b", type: .tcp)],
                tcpPortRange: ports, now: t0)
            let results = try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "b", type: .tcp), .init(name: "c", type: .tcp)],
                tcpPortRange: ports, now: t0)
            let forwards = accepted(results)
            #expect(forwards["b"]?.publicPort == 10_001)
            #expect(forwards["c"]?.publicPort == 10_000)
            #expect(try await registry.forwards(of: "alpha").map(\.name) == ["b", "c"])
            let audit = try #require(try await registry.auditLog().first)
            #expect(audit.detail.contains("\"removed\":\"a\""))
        }
    }

    @Test func portsTheEdgeCannotOpenAreSkippedAndForwardsOnThemMove() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            let declarations: [ForwardDeclaration] = [.init(name: "a", type: .tcp), .init(name: "b", type: .tcp)]
            let first = accepted(try await registry.syncForwards(
                home: "alpha", declarations: declarations, tcpPortRange: ports, now: t0))
            #expect(first["a"]?.publicPort == 10_000)
            #expect(first["b"]?.publicPort == 10_001)
            // Another program took 10,000 and 10,002: a moves past both, b stays.
            let moved = accepted(try await registry.syncForwards(
                home: "alpha", declarations: declarations, tcpPortRange: ports, unavailablePorts: [10_000, 10_002],
                now: t0))
            #expect(moved["a"]?.publicPort == 10_003)
            #expect(moved["b"]?.publicPort == 10_001)
            // With every port of a small range unavailable, the range is exhausted.
            let none = try await registry.syncForwards(
                home: "beta", declarations: [.init(name: "x", type: .tcp)], tcpPortRange: 10_000...10_003,
                unavailablePorts: [10_000, 10_002], now: t0)
            #expect(rejection(none, "x") == .portRangeExhausted(10_000...10_003))
        }
    }

    @Test func changingTheTypeReplacesTheForward() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            let tcp = accepted(try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "svc", type: .tcp)], tcpPortRange: ports, now: t0))
            let https = accepted(try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "svc", type: .https, hostname: "svc.example.com")],
                tcpPortRange: ports, now: t0))
            #expect(https["svc"]?.publicPort == nil && https["svc"]?.id != tcp["svc"]?.id)
            #expect(try await registry.routes().map(\.key) == [.hostname("svc.example.com")])
        }
    }

    @Test func exhaustedRangeRejectsOnlyTheForwardsThatDoNotFit() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            let tiny = 20_000...20_001
            _ = try await registry.syncForwards(home: "beta", declarations: [.init(name: "x", type: .tcp)], tcpPortRange: tiny, now: t0)
            let results = try await registry.syncForwards(
                home: "alpha",
                declarations: [
                    .init(name: "one", type: .tcp), .init(name: "two", type: .tcp),
                    .init(name: "web", type: .https, hostname: "example.com"),
                ],
                tcpPortRange: tiny, now: t0)
            #expect(accepted(results)["one"]?.publicPort == 20_001)
            #expect(rejection(results, "two") == .portRangeExhausted(tiny))
            #expect(accepted(results)["web"] != nil)
            let stored = try await registry.forwards(of: "alpha").first { $0.name == "two" }
            #expect(stored?.error == RegistryError.portRangeExhausted(tiny).message && stored?.publicPort == nil)

            // Once beta lets its port go, the next sync of alpha gets it.
            _ = try await registry.syncForwards(home: "beta", declarations: [], tcpPortRange: tiny, now: t0)
            let retry = try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "one", type: .tcp), .init(name: "two", type: .tcp)],
                tcpPortRange: tiny, now: t0)
            #expect(accepted(retry)["two"]?.publicPort == 20_000)
            #expect(try await registry.forwards(of: "alpha").allSatisfy { $0.error == nil })
        }
    }

    @Test func hostnameChecksRejectOnlyTheBadForward() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            _ = try await registry.syncForwards(
                home: "beta", declarations: [.init(name: "site", type: .https, hostname: "www.other.net")],
                tcpPortRange: ports, now: t0)
            let huge = String(repeating: "h", count: 10_000) + ".example.com"
            let results = try await registry.syncForwards(
                home: "alpha",
                declarations: [
                    .init(name: "foreign", type: .https, hostname: "www.other.net"),
                    .init(name: "good", type: .https, hostname: "good.example.com"),
                    .init(name: "bad", type: .http, hostname: "bad_name.example.com"),
                    .init(name: "huge", type: .https, hostname: huge),
                    .init(name: "nohost", type: .http),
                    .init(name: "tcphost", type: .tcp, hostname: "t.example.com"),
                    .init(name: "dup", type: .https, hostname: "good.example.com"),
                    .init(name: "samehost", type: .http, hostname: "good.example.com"),
                    .init(name: "good", type: .tcp),
                    .init(name: "Bad Name", type: .tcp),
                    .init(name: String(repeating: "n", count: 10_000), type: .tcp),
                    .init(name: "pp", type: .tcp, proxyProtocol: "v1"),
                    .init(name: "longtarget", type: .tcp, target: String(repeating: "t", count: 10_000)),
                ],
                tcpPortRange: ports, now: t0)
            #expect(results.count == 13)
            #expect(rejection(results, "foreign") == .hostnameRejected(.notUnderHomeDomains("www.other.net")))
            #expect(rejection(results, "bad") == .hostnameRejected(.invalidName(.invalidCharacter("bad_name"))))
            #expect(rejection(results, "huge") == .hostnameRejected(.invalidName(.tooLong(length: huge.count))))
            if case .invalidForward = rejection(results, "nohost") {} else { Issue.record("nohost accepted") }
            if case .invalidForward = rejection(results, "tcphost") {} else { Issue.record("tcphost accepted") }
            #expect(rejection(results, "dup") == .hostnameInUse("good.example.com"))
            #expect(rejection(results, "good") == .duplicateForward("good"))
            if case .invalidForward = rejection(results, "Bad Name") {} else { Issue.record("bad name accepted") }
            if case .invalidForward = rejection(results, String(repeating: "n", count: 80)) {} else {
                Issue.record("10,000-character name accepted")
            }
            if case .invalidForward = rejection(results, "pp") {} else { Issue.record("PROXY v1 accepted") }
            if case .invalidForward = rejection(results, "longtarget") {} else { Issue.record("long target accepted") }
            // http and https are different listeners, so one hostname may serve both.
            #expect(Set(accepted(results).keys) == ["good", "samehost"])

            let stored = Dictionary(uniqueKeysWithValues: try await registry.forwards(of: "alpha").map { ($0.name, $0) })
            #expect(stored["foreign"]?.error == RegistryError.hostnameRejected(.notUnderHomeDomains("www.other.net")).message)
            #expect(stored["huge"]?.hostname == nil && stored["longtarget"]?.target == nil)
            #expect(stored["good"]?.type == .https && stored["good"]?.error == nil)
            #expect(stored["Bad Name"] == nil, "an invalid name gets no row")
            #expect(Set(try await registry.routes().map(\.forward)) == ["good", "samehost", "site"])
        }
    }

    @Test func movingAHostnameBetweenForwardsInOneSyncIsNotAConflict() async throws {
        try await RegistryFixture.with { registry, _ in
            try await setUp(registry)
            _ = try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "old", type: .https, hostname: "www.example.com")],
                tcpPortRange: ports, now: t0)
            let results = try await registry.syncForwards(
                home: "alpha",
                declarations: [
                    .init(name: "new", type: .https, hostname: "www.example.com"),
                    .init(name: "old", type: .https, hostname: "old.example.com"),
                ],
                tcpPortRange: ports, now: t0)
            #expect(accepted(results).count == 2)
        }
    }

    @Test func syncForAnUnknownHomeIsTyped() async throws {
        try await RegistryFixture.with { registry, _ in
            await #expect(throws: RegistryError.homeNotFound("ghost")) {
                try await registry.syncForwards(home: "ghost", declarations: [], tcpPortRange: ports, now: t0)
            }
        }
    }

    @Test func disabledAndDeletedHomesHaveNoRoutes() async throws {
        try await RegistryFixture.with { registry, directory in
            try await setUp(registry)
            _ = try await registry.syncForwards(
                home: "alpha", declarations: [.init(name: "ssh", type: .tcp)], tcpPortRange: ports, now: t0)
            let raw = try RegistryFixture.rawQueue(directory)
            try await raw.write { db in try db.execute(sql: "UPDATE homes SET state = 'disabled' WHERE name = 'alpha'") }
            try raw.close()
            #expect(try await registry.routes().isEmpty)
        }
    }
}
