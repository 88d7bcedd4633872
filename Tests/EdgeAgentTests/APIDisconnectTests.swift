import Foundation
import Testing
import Wire
@testable import EdgeAgent

/// Deleting a home through the API ends its live tunnel session at once,
/// with a GOAWAY saying why.
@Suite struct APIDisconnectTests {
    @Test func deleteSendsGoAwayAndClosesTheLiveSessionWithinOneSecond() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            try await api.registry.claimDomain("example.com", home: "alpha", now: RegistryFixture.t0)
            _ = try await api.registry.syncForwards(
                home: "alpha", declarations: [.init(name: "web", type: .https, hostname: "www.example.com")],
                tcpPortRange: RegistryFixture.ports, now: RegistryFixture.t0)
            let pair = try await LoopbackSessionPair()
            api.sessions.register(pair.edge, for: "alpha")

            let show = try await api.send("GET", "/api/homes/alpha")
            #expect(show.json["connected"] == .bool(true))
            let routes = try await api.send("GET", "/api/routes")
            #expect(routes.json["routes"]?.arrayValue.first?["connected"] == .bool(true))

            let started = ContinuousClock.now
            #expect(try await api.send("DELETE", "/api/homes/alpha").status == 204)
            // The home's end sees its connection close: the session is really
            // gone. Polled with a bound so a regression fails instead of hanging.
            while pair.home.channel.isActive, ContinuousClock.now - started < .seconds(3) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(!pair.home.channel.isActive)
            #expect(ContinuousClock.now - started < .seconds(1))
            // It was told why before the connection closed.
            #expect(try await pair.goAwaysReceivedByHome == [
                .init(code: .noError, debug: "home deleted by the edge operator"),
            ])
            #expect(!pair.edge.channel.isActive)
            #expect(api.sessions.connectedHomes.isEmpty)
            try await pair.shutdown()
        }
    }
}
