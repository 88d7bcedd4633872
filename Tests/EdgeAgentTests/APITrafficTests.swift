import Foundation
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

/// Limits reach live sessions, and their traffic shows in the API and the
/// metrics. Sessions are real (loopback TCP); the rates themselves are
/// measured end to end in EndToEndTests and the bandwidth benchmark.
@Suite struct APITrafficTests {
    @Test func patchAppliesToTheLiveSessionAndShowReportsIt() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha")

            let patched = try await api.send(
                "PATCH", "/api/homes/alpha", json: #"{"bandwidth_limit_kbps": 1000, "download_limit_kbps": 50000}"#)
            #expect(patched.status == 200, "\(patched)")
            let traffic = try await live.edge.traffic.get()
            #expect(traffic.received.limit == .limited(bytesPerSecond: 125_000, burst: 65_536))
            // 100 ms at 50 Mbit/s is 625,000 bytes, above the 64 KiB floor.
            #expect(traffic.sent.limit == .limited(bytesPerSecond: 6_250_000, burst: 625_000))

            let show = try await api.send("GET", "/api/homes/alpha")
            #expect(show.json["connected"] == .bool(true))
            let upload = try #require(show.json["traffic"]?["upload"])
            #expect(upload["limit_kbps"] == .integer(1000))
            #expect(upload["burst_bytes"] == .integer(65_536))
            #expect(upload["bytes"] == .integer(0))
            #expect(upload["rate_kbps"]?.numberValue == 0)
            #expect(upload["throttled_seconds"]?.numberValue == 0)
            #expect(show.json["traffic"]?["download"]?["limit_kbps"] == .integer(50_000))

            // A configured burst applies to both directions; null clears a limit.
            _ = try await api.send("PATCH", "/api/homes/alpha", json: #"{"burst_bytes": 20000, "download_limit_kbps": null}"#)
            let after = try await live.edge.traffic.get()
            #expect(after.received.limit == .limited(bytesPerSecond: 125_000, burst: 20_000))
            #expect(after.sent.limit == .unlimited)
            try await live.shutdown()
        }
    }

    @Test func aSessionRegisteredLaterGetsTheStoredLimits() async throws {
        try await APIHarness.with { api in
            let home = try await api.registry.createHome(
                name: "alpha", uploadLimitKbps: 2_000, downloadLimitKbps: 100, now: RegistryFixture.t0)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha", limits: home.rateLimits)
            let traffic = try await live.edge.traffic.get()
            #expect(traffic.received.limit == .limited(bytesPerSecond: 250_000, burst: 65_536))
            #expect(traffic.sent.limit == .limited(bytesPerSecond: 12_500, burst: 65_536))
            try await live.shutdown()
        }
    }

    @Test func aLimitSetDuringAdmissionWinsOverTheRowTheAdmissionRead() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", uploadLimitKbps: 2_000, now: RegistryFixture.t0)
            let stale = try #require(try await api.registry.home(named: "alpha")).rateLimits
            // The PATCH lands between the admission's read and its registration.
            _ = try await api.send("PATCH", "/api/homes/alpha", json: #"{"bandwidth_limit_kbps": 500}"#)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha", limits: stale)
            #expect(try await live.edge.traffic.get().received.limit == .limited(bytesPerSecond: 62_500, burst: 65_536))
            try await live.shutdown()
        }
    }

    @Test func aPatchApplyingLateStillLeavesTheLastStoredLimits() async throws {
        try await APIHarness.with { api in
            let first = try await api.registry.createHome(name: "alpha", uploadLimitKbps: 1_000, now: RegistryFixture.t0)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha")
            // Two PATCHes raced: the second stored 2,000 and applied it, then
            // the first, slower one applies the 1,000 it had stored before.
            let second = try await api.registry.setBandwidth(
                home: "alpha", upload: 2_000, download: nil, burst: nil, now: RegistryFixture.t0)
            api.sessions.setLimits(second.rateLimits, for: "alpha")
            await HomeHandlers.applyStoredLimits(first, api.context)
            #expect(try await live.edge.traffic.get().received.limit == second.rateLimits.receive)

            // A home deleted while its PATCH was applying leaves no limits behind.
            try await api.registry.deleteHome(named: "alpha", now: RegistryFixture.t0)
            await HomeHandlers.applyStoredLimits(second, api.context)
            #expect(api.sessions.session(for: "alpha") == nil)
            try await live.shutdown()
        }
    }

    @Test func metricsAreValidPrometheusTextWithEveryHome() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", uploadLimitKbps: 1000, now: RegistryFixture.t0)
            _ = try await api.registry.createHome(name: "beta", now: RegistryFixture.t0)
            let live = try await LoopbackSessionPair()
            api.sessions.register(live.edge, for: "alpha", limits: try #require(try await api.registry.home(named: "alpha")).rateLimits)

            let reply = try await api.send("GET", "/metrics")
            #expect(reply.status == 200, "\(reply)")
            #expect(reply.headers["content-type"] == EdgeMetrics.contentType)
            let text = String(decoding: reply.body, as: UTF8.self)
            let exposition = try PrometheusExposition(text)
            for (name, labels, value) in [
                ("portico_homes", ["state": "pending"], 2.0),
                ("portico_home_connected", ["home": "alpha"], 1),
                ("portico_home_connected", ["home": "beta"], 0),
                ("portico_home_limit_bytes_per_second", ["home": "alpha", "direction": "upload"], 125_000),
                ("portico_home_bytes_total", ["home": "alpha", "direction": "upload"], 0),
                ("portico_home_throttled_seconds_total", ["home": "alpha", "direction": "download"], 0),
                ("portico_public_refusals_total", ["reason": "unknown_name"], 0),
            ] {
                #expect(exposition.value(name, labels) == value, "\(name) \(labels)")
            }
            // Labels in the documented order, home first.
            #expect(text.contains(#"portico_home_bytes_total{home="alpha",direction="upload"} 0"#))
            // Unlimited directions and unconnected homes have no such samples.
            #expect(exposition.samples("portico_home_limit_bytes_per_second", matching: ["home": "beta"]).isEmpty)
            #expect(exposition.samples("portico_home_bytes_total", matching: ["home": "beta"]).isEmpty)
            try await live.shutdown()
        }
    }
}
