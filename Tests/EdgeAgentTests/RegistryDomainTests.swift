import Foundation
import Testing
import Wire
@testable import EdgeAgent

@Suite struct RegistryDomainTests {
    let t0 = RegistryFixture.t0

    private func twoHomes(_ registry: Registry) async throws {
        _ = try await registry.createHome(name: "alpha", now: t0)
        _ = try await registry.createHome(name: "beta", now: t0)
    }

    @Test func claimNormalisesAndIsAudited() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            let claim = try await registry.claimDomain("Example.CO.UK.", home: "alpha", now: t0)
            #expect(claim == DomainClaim(name: "example.co.uk", home: "alpha", createdAt: t0))
            #expect(try await registry.domains(of: "alpha") == [claim])
            #expect(try await registry.domains(of: "beta").isEmpty)
            let entry = try #require(try await registry.auditLog().first)
            #expect(entry.action == "domain.claim" && entry.subject == "example.co.uk" && entry.actor == "home:alpha")
        }
    }

    @Test(arguments: [
        ("com", DomainError.invalidName(.tooFewLabels("com"))),
        ("co.uk", DomainError.publicSuffix("co.uk")),
        ("github.io", DomainError.publicSuffix("github.io")),
        ("*.example.com", DomainError.invalidName(.wildcardNotAllowed("*.example.com"))),
    ])
    func suffixesAndWildcardsCannotBeClaimed(domain: String, reason: DomainError) async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            await #expect(throws: RegistryError.domainRejected(reason)) {
                try await registry.claimDomain(domain, home: "alpha", now: t0)
            }
            #expect(try await registry.allDomains().isEmpty)
        }
    }

    @Test func privateSuffixChildIsClaimable() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            try await registry.claimDomain("alice.github.io", home: "alpha", now: t0)
            try await registry.claimDomain("bob.github.io", home: "beta", now: t0)
            #expect(try await registry.allDomains().map(\.name) == ["alice.github.io", "bob.github.io"])
        }
    }

    @Test func overlapWithAnotherHomeIsRejectedInBothDirections() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            try await registry.claimDomain("example.com", home: "alpha", now: t0)
            await #expect(throws: RegistryError.domainRejected(.overlaps("a.example.com", owner: "example.com"))) {
                try await registry.claimDomain("a.example.com", home: "beta", now: t0)
            }
            await #expect(throws: RegistryError.domainRejected(.overlaps("example.com", owner: "example.com"))) {
                try await registry.claimDomain("example.com", home: "beta", now: t0)
            }
            try await registry.claimDomain("b.example.net", home: "beta", now: t0)
            await #expect(throws: RegistryError.domainRejected(.overlaps("example.net", owner: "b.example.net"))) {
                try await registry.claimDomain("example.net", home: "alpha", now: t0)
            }
            // A home's own domains may nest, and repeating a claim changes nothing.
            try await registry.claimDomain("a.example.com", home: "alpha", now: t0)
            let before = try await registry.auditLog().count
            try await registry.claimDomain("example.com", home: "alpha", now: t0.addingTimeInterval(5))
            #expect(try await registry.auditLog().count == before)
            #expect(try await registry.domains(of: "alpha").map(\.name) == ["a.example.com", "example.com"])
        }
    }

    @Test func concurrentOverlappingClaimsHaveExactlyOneWinner() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            for round in 0..<10 {
                let domain = "race\(round).example.com"
                let claims = [("alpha", domain), ("beta", round.isMultiple(of: 2) ? domain : "x.\(domain)")]
                let outcomes = await withTaskGroup(of: Bool.self) { group in
                    for (home, name) in claims {
                        group.addTask {
                            (try? await registry.claimDomain(name, home: home, now: t0)) != nil
                        }
                    }
                    return await group.reduce(into: [Bool]()) { $0.append($1) }
                }
                #expect(outcomes.filter { $0 }.count == 1, "round \(round): \(outcomes)")
            }
            #expect(try await registry.allDomains().count == 10)
        }
    }

    @Test func releaseIsRefusedWhileAForwardDependsOnTheDomain() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            try await registry.claimDomain("example.com", home: "alpha", now: t0)
            try await registry.claimDomain("b.example.com", home: "alpha", now: t0)
            _ = try await registry.syncForwards(
                home: "alpha",
                declarations: [
                    .init(name: "web", type: .https, hostname: "*.example.com"),
                    .init(name: "app", type: .http, hostname: "x.b.example.com"),
                ],
                tcpPortRange: RegistryFixture.ports, now: t0)

            await #expect(throws: RegistryError.domainInUse(forwards: ["web"])) {
                try await registry.releaseDomain("example.com", home: "alpha", now: t0)
            }
            // app is still covered by example.com, so b.example.com may go.
            try await registry.releaseDomain("B.Example.com", home: "alpha", now: t0)
            await #expect(throws: RegistryError.domainInUse(forwards: ["app", "web"])) {
                try await registry.releaseDomain("example.com", home: "alpha", now: t0)
            }
            _ = try await registry.syncForwards(home: "alpha", declarations: [], tcpPortRange: RegistryFixture.ports, now: t0)
            try await registry.releaseDomain("example.com", home: "alpha", now: t0)
            #expect(try await registry.allDomains().isEmpty)
            #expect(try await registry.auditLog().first?.action == "domain.release")
        }
    }

    @Test func releasingSomeoneElsesOrAnUnknownDomainIsNotFound() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            try await registry.claimDomain("example.com", home: "alpha", now: t0)
            await #expect(throws: RegistryError.domainNotFound("example.com")) {
                try await registry.releaseDomain("example.com", home: "beta", now: t0)
            }
            await #expect(throws: RegistryError.domainNotFound("nothing.org")) {
                try await registry.releaseDomain("nothing.org", home: "alpha", now: t0)
            }
            await #expect(throws: RegistryError.homeNotFound("ghost")) {
                try await registry.claimDomain("ghost.org", home: "ghost", now: t0)
            }
            await #expect(throws: RegistryError.homeNotFound("ghost")) {
                try await registry.domains(of: "ghost")
            }
        }
    }

    @Test func oversizedDomainIsATypedRejection() async throws {
        try await RegistryFixture.with { registry, _ in
            try await twoHomes(registry)
            let huge = String(repeating: "a", count: 10_000) + ".com"
            await #expect(throws: RegistryError.domainRejected(.invalidName(.tooLong(length: huge.count)))) {
                try await registry.claimDomain(huge, home: "alpha", now: t0)
            }
            await #expect(throws: RegistryError.domainNotFound(String(huge.prefix(80)))) {
                try await registry.releaseDomain(huge, home: "alpha", now: t0)
            }
        }
    }
}
