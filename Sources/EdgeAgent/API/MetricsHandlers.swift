import Hummingbird
import Wire

/// `GET /metrics`: the edge's state for Prometheus. Per-home series carry
/// `home` and, for traffic, `direction` ("upload" is home to public).
/// Traffic counters start at zero with each tunnel session, which Prometheus
/// treats as a counter reset.
enum MetricsHandlers {
    @Sendable static func metrics(_ request: APIRequest) async throws -> Response {
        let context = request.context
        let homes = try await context.registry.homes()
        var traffic: [(home: Home, traffic: SessionTraffic)] = []
        for home in homes {
            if let live = await context.sessions.traffic(of: home.name) { traffic.append((home, live)) }
        }
        let connected = Set(traffic.map(\.home.name))

        var text = PrometheusText()
        text.add(
            "portico_homes", .gauge, help: "Homes in the registry, by state.",
            Home.State.allCases.map { state in
                .init(labels: [("state", state.rawValue)], value: Double(homes.filter { $0.state == state }.count))
            })
        text.add(
            "portico_home_connected", .gauge, help: "1 while the home has a live tunnel session.",
            homes.map { .init(labels: [("home", $0.name)], value: connected.contains($0.name) ? 1 : 0) })
        text.add(
            "portico_home_limit_bytes_per_second", .gauge,
            help: "The home's bandwidth limit in bytes per second; no sample when unlimited.",
            homes.flatMap { home in
                directions(home.rateLimits).compactMap { direction, limit in
                    guard case .limited(let rate, _) = limit else { return nil }
                    return .init(labels: [("home", home.name), ("direction", direction)], value: Double(rate))
                }
            })
        text.add(
            "portico_home_rate_bytes_per_second", .gauge, help: "Stream bytes relayed for the home over the last second.",
            samples(traffic) { Double($0.bytesPerSecond) })
        text.add(
            "portico_home_bytes_total", .counter, help: "Stream bytes relayed for the home since its session began.",
            samples(traffic) { Double($0.bytes) })
        text.add(
            "portico_home_throttled_seconds_total", .counter,
            help: "Time the home's data waited for its token bucket since its session began.",
            samples(traffic) { Double($0.throttledNanoseconds) / 1e9 })
        let refusals = context.refusals.snapshot
        text.add(
            "portico_public_refusals_total", .counter, help: "Public connections turned away, by reason.",
            PublicRefusal.allCases.map { .init(labels: [("reason", $0.rawValue)], value: Double(refusals[$0] ?? 0)) })
        return Response(
            status: .ok, headers: [.contentType: PrometheusText.contentType],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text.text)))
    }

    /// Upload is what the edge receives from the home, download what it sends.
    private static func directions(_ limits: SessionRateLimits) -> [(String, TokenBucket.Limit)] {
        [("upload", limits.receive), ("download", limits.send)]
    }

    private static func samples(
        _ traffic: [(home: Home, traffic: SessionTraffic)], _ value: (TrafficSnapshot) -> Double
    ) -> [PrometheusText.Sample] {
        traffic.flatMap { entry in
            [("upload", entry.traffic.received), ("download", entry.traffic.sent)].map { direction, snapshot in
                .init(labels: [("home", entry.home.name), ("direction", direction)], value: value(snapshot))
            }
        }
    }
}
