import Foundation
import Testing
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
            #expect(reply.headers["content-type"] == PrometheusText.contentType)
            let lines = String(decoding: reply.body, as: UTF8.self).split(separator: "\n").map(String.init)
            for expected in [
                #"portico_homes{state="pending"} 2"#,
                #"portico_home_connected{home="alpha"} 1"#,
                #"portico_home_connected{home="beta"} 0"#,
                #"portico_home_limit_bytes_per_second{home="alpha",direction="upload"} 125000"#,
                #"portico_home_bytes_total{home="alpha",direction="upload"} 0"#,
                #"portico_home_throttled_seconds_total{home="alpha",direction="download"} 0"#,
                #"portico_public_refusals_total{reason="unknown_name"} 0"#,
            ] {
                #expect(lines.contains(expected), "missing \(expected)")
            }
            // Unlimited directions and unconnected homes have no such samples.
            #expect(!lines.contains { $0.hasPrefix(#"portico_home_limit_bytes_per_second{home="beta""#) })
            #expect(!lines.contains { $0.hasPrefix(#"portico_home_bytes_total{home="beta""#) })
            try Self.checkExposition(lines)
            try await live.shutdown()
        }
    }

    /// Every sample belongs to a metric announced by HELP and TYPE, and every
    /// line has the shape the text format allows.
    static func checkExposition(_ lines: [String]) throws {
        var typed: Set<String> = []
        let sample = try Regex(#"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? (-?[0-9.e+]+|NaN|[+-]Inf)$"#)
        for line in lines {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                #expect(parts.count == 4 && ["counter", "gauge"].contains(parts[3]), "\(line)")
                typed.insert(String(parts[2]))
            } else if line.hasPrefix("# HELP ") {
                continue
            } else {
                let match = try #require(line.wholeMatch(of: sample), "not a sample line: \(line)")
                let name = String(line[match.range].prefix { $0 != "{" && $0 != " " })
                #expect(typed.contains(name), "\(name) has no TYPE before it")
            }
        }
    }

    @Test func prometheusTextEscapesLabelsAndHelp() {
        var text = PrometheusText()
        text.add("m", .gauge, help: "a \\ b\nc", [.init(labels: [("l", "q\"\\\n")], value: 1.5)])
        #expect(text.text == "# HELP m a \\\\ b\\nc\n# TYPE m gauge\nm{l=\"q\\\"\\\\\\n\"} 1.5\n")
        #expect(PrometheusText.format(3) == "3")
        #expect(PrometheusText.format(.infinity) == "+Inf")
        #expect(PrometheusText.format(.nan) == "NaN")
    }
}
