import Foundation
import Testing
import TestSupport
@testable import EdgeAgent

/// `/metrics` over a real socket: API request durations by route template,
/// label sets bounded whatever callers send, and a deleted home's series gone.
/// Stream-open and first-byte latencies through real agents are checked in
/// EndToEndTests (`MetricsTests`).
@Suite struct APIMetricsTests {
    /// The bucket bounds every latency histogram uses, in seconds.
    static let bucketBounds = LatencyBuckets.all.map {
        Double($0.components.seconds) + Double($0.components.attoseconds) / 1e18
    }

    @Test("API requests are timed by route template, method and status class, never by raw path or odd method")
    func apiRequestDurations() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            #expect(try await api.send("GET", "/api/homes").status == 200)
            #expect(try await api.send("GET", "/api/homes/alpha").status == 200)
            #expect(try await api.send("GET", "/api/homes/no-such-home").status == 404)
            #expect(try await api.send("PROPFIND", "/random/path/\(UUID().uuidString)").status == 404)
            #expect(try await api.send("GET", "/api/homes", token: nil).status == 401)

            let exposition = try await Self.scrape(api)
            let name = "portico_api_request_duration_seconds"
            #expect(exposition.types[name] == "histogram")
            for (labels, count) in [
                (["method": "GET", "route": "/api/homes", "status": "2xx"], 1.0),
                (["method": "GET", "route": "/api/homes/{name}", "status": "2xx"], 1),
                (["method": "GET", "route": "/api/homes/{name}", "status": "4xx"], 1),
                (["method": "other", "route": "unmatched", "status": "4xx"], 1),
                (["method": "GET", "route": "/api/homes", "status": "4xx"], 1),
            ] {
                #expect(exposition.value(name + "_count", labels) == count, "\(labels)")
                Self.checkHistogram(exposition, name, labels)
            }
            // Nothing a caller sent became a label value.
            let values = exposition.samples.flatMap(\.labels.values)
            #expect(!values.contains { $0.contains("no-such-home") || $0.contains("random") || $0 == "PROPFIND" })
        }
    }

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

    /// The series has exactly the documented buckets, and reads as a histogram.
    static func checkHistogram(_ exposition: PrometheusExposition, _ name: String, _ labels: [String: String]) {
        #expect(exposition.buckets(name, labels).map(\.bound) == bucketBounds + [.infinity], "\(name) \(labels)")
        #expect(exposition.isConsistentHistogram(name, labels), "\(name) \(labels)")
    }
}
