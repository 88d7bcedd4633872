import Foundation
import Testing
import Wire
@testable import EdgeAgent

/// Disabling a home through the API ends its live session with a GOAWAY
/// saying why, also one that registers a moment later (admitted just before
/// the registry said `disabled`); enabling lets sessions register again.
@Suite struct APIDisableTests {
    static func waitClosed(_ pair: LoopbackSessionPair) async throws {
        let started = ContinuousClock.now
        while pair.home.channel.isActive, ContinuousClock.now - started < .seconds(3) {
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test func disableEndsTheSessionAndOneRegisteredLateUntilEnabled() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha")

            let disabled = try await api.send("POST", "/api/homes/alpha/disable")
            #expect(disabled.status == 200 && disabled.json["state"] == .string("disabled"))
            try await Self.waitClosed(live)
            #expect(!live.home.channel.isActive)
            #expect(try await live.goAwaysReceivedByHome == [.init(code: .noError, debug: "home disabled by the edge operator")])

            // Admitted before the write, registered after it: closed too.
            let late = try await LoopbackSessionPair()
            api.sessions.register(late.edge, for: "alpha")
            try await Self.waitClosed(late)
            #expect(!late.home.channel.isActive && api.sessions.connectedHomes.isEmpty)
            #expect(try await late.goAwaysReceivedByHome == [.init(code: .noError, debug: "home disabled by the edge operator")])

            let enabled = try await api.send("POST", "/api/homes/alpha/enable")
            #expect(enabled.status == 200 && enabled.json["state"] == .string("pending"))
            let again = try await LoopbackSessionPair()
            api.sessions.register(again.edge, for: "alpha")
            #expect(api.sessions.connectedHomes == ["alpha"] && again.home.channel.isActive)
            for pair in [live, late, again] { try await pair.shutdown() }
        }
    }

    @Test func aDisabledHomeDeletedAndCreatedAgainIsNotBarred() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            #expect(try await api.send("POST", "/api/homes/alpha/disable").status == 200)
            #expect(try await api.send("DELETE", "/api/homes/alpha").status == 204)
            #expect(try await api.send("POST", "/api/homes", json: #"{"name": "alpha"}"#).status == 201)
            let pair = try await LoopbackSessionPair()
            api.sessions.register(pair.edge, for: "alpha")
            #expect(api.sessions.connectedHomes == ["alpha"] && pair.home.channel.isActive)
            try await pair.shutdown()
        }
    }
}
