import Metrics
import Wire

/// The state series of one home, set from a `HomeStateSnapshot` at each
/// scrape:
///
/// - `portico_home_connected{home}` gauge, 1 or 0, for every home;
/// - `portico_home_limit_bytes_per_second{home,direction}` gauge, only for
///   limited directions;
/// - `portico_home_rate_bytes_per_second{home,direction}` gauge, over the last
///   second, only while connected;
/// - `portico_home_bytes_total{home,direction}` and
///   `portico_home_throttled_seconds_total{home,direction}` counters, since
///   the session began (a new session is a counter reset), only while
///   connected.
///
/// Computed at scrape time rather than updated where the state changes: the
/// registry is the source of truth for homes and limits (an operator or
/// another edge may change it), and the traffic counts live on each session's
/// event loop, counted per frame without locks; mirroring them into shared
/// metrics as they change would put atomics on the data path. A scrape costs
/// one registry read and one hop per connected home.
struct HomeSeries {
    private let home: String
    private let factory: any MetricsFactory
    private let connected: Gauge
    private var limits: [TrafficDirection: Gauge] = [:]
    private var traffic: [TrafficDirection: TrafficSeries] = [:]

    init(home: String, factory: any MetricsFactory) {
        self.home = home
        self.factory = factory
        connected = Gauge(label: "portico_home_connected", dimensions: [("home", home)], factory: factory)
    }

    /// Sets every series from `entry`, and removes those that no longer
    /// apply (a limit cleared, a session ended).
    mutating func update(_ entry: HomeStateSnapshot.Entry) {
        connected.record(entry.traffic == nil ? 0 : 1)
        for direction in TrafficDirection.allCases {
            if let rate = entry.limits[direction] {
                if limits[direction] == nil {
                    limits[direction] = Gauge(
                        label: "portico_home_limit_bytes_per_second", dimensions: dimensions(direction),
                        factory: factory)
                }
                limits[direction]?.record(Double(rate))
            } else {
                limits.removeValue(forKey: direction)?.destroy()
            }
            if let snapshot = entry.traffic?[direction] {
                if traffic[direction] == nil {
                    traffic[direction] = TrafficSeries(dimensions: dimensions(direction), factory: factory)
                }
                traffic[direction]?.set(snapshot)
            } else {
                traffic.removeValue(forKey: direction)?.destroy()
            }
        }
    }

    /// Removes every series of the home from the exposition.
    func destroy() {
        connected.destroy()
        limits.values.forEach { $0.destroy() }
        traffic.values.forEach { $0.destroy() }
    }

    private func dimensions(_ direction: TrafficDirection) -> [(String, String)] {
        [("home", home), ("direction", direction.rawValue)]
    }
}

/// The traffic series of one home's live session in one direction.
private struct TrafficSeries {
    let rate: Gauge
    let bytes: Counter
    let throttled: FloatingPointCounter

    init(dimensions: [(String, String)], factory: any MetricsFactory) {
        rate = Gauge(label: "portico_home_rate_bytes_per_second", dimensions: dimensions, factory: factory)
        bytes = Counter(label: "portico_home_bytes_total", dimensions: dimensions, factory: factory)
        throttled = FloatingPointCounter(
            label: "portico_home_throttled_seconds_total", dimensions: dimensions, factory: factory)
    }

    /// Counters cannot be set, only reset and increased: the caller holds the
    /// lock that scrapes emit under, so no scrape sees the value in between.
    func set(_ snapshot: TrafficSnapshot) {
        rate.record(Double(snapshot.bytesPerSecond))
        bytes.reset()
        bytes.increment(by: Int64(clamping: snapshot.bytes))
        throttled.reset()
        throttled.increment(by: Double(snapshot.throttledNanoseconds) / 1e9)
    }

    func destroy() {
        rate.destroy()
        bytes.destroy()
        throttled.destroy()
    }
}
