import Foundation
import Testing
import Wire
@testable import EdgeAgent

/// A tcp forward that asks for its public port ([CTRL-7], frp's
/// `remote_port`): given exactly that port, or refused with the reason.
@Suite struct RegistryRequestedPortTests {
    let t0 = RegistryFixture.t0
    let ports = RegistryFixture.ports

    private func tcp(_ name: String, port: Int? = nil) -> ForwardDeclaration {
        ForwardDeclaration(name: name, type: .tcp, port: port)
    }

    private func outcome(_ results: [ForwardSyncResult], _ name: String) -> Result<Int?, RegistryError>? {
        results.first { $0.name == name }.map { result in
            switch result {
            case .accepted(let forward): .success(forward.publicPort)
            case .rejected(_, let error): .failure(error)
            }
        }
    }

    @Test("the port asked for is given, kept on the next sync, and judged before forwards that take any port")
    func requestedPortIsGivenAndKept() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            // "any" comes first in the list but must not take 10,000, which "fixed" asks for.
            let first = try await registry.syncForwards(
                home: "alpha", declarations: [tcp("any"), tcp("fixed", port: 10_000)], tcpPortRange: ports, now: t0)
            #expect(outcome(first, "fixed") == .success(10_000))
            #expect(outcome(first, "any") == .success(10_001))
            let again = try await registry.syncForwards(
                home: "alpha", declarations: [tcp("any"), tcp("fixed", port: 10_000)], tcpPortRange: ports, now: t0)
            #expect(again == first)

            // Asking for another port moves the forward there and frees the old one.
            let moved = try await registry.syncForwards(
                home: "alpha", declarations: [tcp("any"), tcp("fixed", port: 10_050)], tcpPortRange: ports, now: t0)
            #expect(outcome(moved, "fixed") == .success(10_050))
            #expect(Set(try await registry.routes().map(\.key)) == [.port(10_001), .port(10_050)])
        }
    }

    @Test("a port outside the range is refused with the range in the message; so is one beyond 65535")
    func outsideRangeIsRefused() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            let results = try await registry.syncForwards(
                home: "alpha", declarations: [tcp("ssh", port: 2222), tcp("huge", port: 70_000), tcp("other")],
                tcpPortRange: ports, now: t0)
            #expect(outcome(results, "ssh") == .failure(.portOutsideRange(port: 2222, range: ports)))
            #expect(outcome(results, "huge") == .failure(.portOutsideRange(port: 70_000, range: ports)))
            #expect(outcome(results, "other") == .success(10_000))
            let message = RegistryError.portOutsideRange(port: 2222, range: ports).message
            #expect(message.hasPrefix("Port 2222 is outside the edge's TCP range 10000-10099"))
            #expect(RegistryError.portOutsideRange(port: 2222, range: ports).controlCode == "port_outside_range")
            #expect(try await registry.forwards(of: "alpha").first { $0.name == "ssh" }?.error == message)
        }
    }

    @Test("a port another home holds is refused without naming that home; one of the same home names the forward")
    func takenPortIsRefused() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            _ = try await registry.createHome(name: "beta", now: t0)
            _ = try await registry.syncForwards(
                home: "alpha", declarations: [tcp("ssh", port: 10_005), tcp("db")], tcpPortRange: ports, now: t0)
            let beta = try await registry.syncForwards(
                home: "beta", declarations: [tcp("ssh", port: 10_005)], tcpPortRange: ports, now: t0)
            #expect(outcome(beta, "ssh") == .failure(.portTaken(port: 10_005, by: .otherHome)))
            let message = RegistryError.portTaken(port: 10_005, by: .otherHome).message
            #expect(message.hasPrefix("Port 10005 is taken by another home's forward"))
            #expect(!message.contains("alpha"))
            #expect(RegistryError.portTaken(port: 10_005, by: .otherHome).controlCode == "port_in_use")

            // Within alpha: db holds 10,000; a new forward asking for it is told which forward has it.
            let clash = try await registry.syncForwards(
                home: "alpha", declarations: [tcp("ssh", port: 10_005), tcp("db"), tcp("web2", port: 10_000)],
                tcpPortRange: ports, now: t0)
            #expect(outcome(clash, "web2") == .failure(.portTaken(port: 10_000, by: .sameHome(forward: "db"))))
            #expect(outcome(clash, "db") == .success(10_000))

            // A port the edge cannot listen on (another program holds it).
            let squatted = try await registry.syncForwards(
                home: "beta", declarations: [tcp("ssh", port: 10_070)], tcpPortRange: ports,
                unavailablePorts: [10_070], now: t0)
            #expect(outcome(squatted, "ssh") == .failure(.portTaken(port: 10_070, by: .otherProgram)))
        }
    }

    @Test("a port on an http or https forward is an invalid forward")
    func portOnHostnameForwardIsInvalid() async throws {
        try await RegistryFixture.with { registry, _ in
            _ = try await registry.createHome(name: "alpha", now: t0)
            try await registry.claimDomain("example.com", home: "alpha", now: t0)
            let results = try await registry.syncForwards(
                home: "alpha",
                declarations: [ForwardDeclaration(name: "web", type: .https, hostname: "example.com", port: 10_000)],
                tcpPortRange: ports, now: t0)
            #expect(outcome(results, "web") == .failure(.invalidForward(
                "The https forward 'web' is reached by its hostname; remove its port.")))
        }
    }
}
