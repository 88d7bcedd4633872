import Foundation
import Testing
import TestSupport
@testable import EdgeAgent

/// `/metrics` over a real socket: a deleted home's series gone. Stream-open
/// and first-byte latencies through real agents are checked in EndToEndTests
/// (`MetricsTests`).
@Suite struct APIMetricsTests {
    @Test("a deleted home's series, latency histograms included, leave /metrics at the next scrape")
    func deletedHomeSeriesDisappear() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", uploadLimitKbps: 1000, now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "beta", now: RegistryFixture.t0)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha")
            // What the stream opener records for a public connection to alpha.
            let latency = api.context.metrics.homes.latency(for: "alpha")
            latency.streamAccepted.recordNanoseconds(3_000_000)
            latency.firstByte.recordNanoseconds(40_000_000)

            let before = try await Self.scrape(api)
            #expect(before.value("portico_home_connected", ["home": "alpha"]) == 1)
            #expect(before.value("portico_stream_open_seconds_count", ["home": "alpha", "outcome": "accepted"]) == 1)
            #expect(before.value("portico_public_first_byte_seconds_count", ["home": "alpha"]) == 1)
            #expect(before.value("portico_home_bytes_total", ["home": "alpha", "direction": "download"]) == 0)
            #expect(before.value("portico_homes", ["state": "pending"]) == 2)

            #expect(try await api.send("DELETE", "/api/homes/alpha").status == 204)
            let after = try await Self.scrape(api)
            let alpha = after.samples.filter { $0.labels["home"] == "alpha" }
            #expect(alpha.isEmpty, "\(alpha)")
            #expect(after.value("portico_home_connected", ["home": "beta"]) == 0)
            #expect(after.value("portico_homes", ["state": "pending"]) == 1)
            try await live.shutdown()
        }
    }

    static func scrape(_ api: APIHarness) async throws -> PrometheusExposition {
        let reply = try await api.send("GET", "/metrics")
        #expect(reply.status == 200, "\(reply)")
        return try PrometheusExposition(String(decoding: reply.body, as: UTF8.self))
    }
}
