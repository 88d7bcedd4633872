import Metrics
import Synchronization

/// Every series labelled with a home, in one table, so that all of a home's
/// series leave the exposition together when the home leaves the registry.
///
/// Label cardinality is bounded by the registry: each scrape removes the
/// series of homes it no longer lists (deleted by the API, the CLI or another
/// edge). A public connection to a home deleted since the last scrape may
/// bring its latency series back until the next one.
final class HomeMetrics: Sendable {
    private struct Entry {
        var latency: HomeLatency
        var state: HomeSeries
    }

    private let factory: any MetricsFactory
    private let homesByState: [Home.State: Gauge]
    private let entries = Mutex<[String: Entry]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        homesByState = Dictionary(uniqueKeysWithValues: Home.State.allCases.map { state in
            (state, Gauge(label: "portico_homes", dimensions: [("state", state.rawValue)], factory: factory))
        })
    }

    /// The latency histograms of `home`, made on first use. Called once per
    /// public connection, never per byte.
    func latency(for home: String) -> HomeLatency {
        entries.withLock { entries in entry(home, in: &entries).latency }
    }

    /// Sets every home's state series from `snapshot`, removes the series of
    /// homes it does not list, then runs `emit` before releasing the table:
    /// counters are set by reset and increment, and a scrape running at the
    /// same time must not write one out in between.
    ///
    /// `portico_homes{state}` gauge: homes in the registry, by state.
    func apply<Output>(_ snapshot: HomeStateSnapshot, thenEmit emit: () -> Output) -> Output {
        entries.withLock { entries in
            for (state, gauge) in homesByState { gauge.record(snapshot.countsByState[state] ?? 0) }
            for (home, entry) in entries where snapshot.homes[home] == nil {
                entry.latency.destroy()
                entry.state.destroy()
                entries[home] = nil
            }
            for (home, state) in snapshot.homes {
                _ = entry(home, in: &entries)
                entries[home]?.state.update(state)
            }
            return emit()
        }
    }

    private func entry(_ home: String, in entries: inout [String: Entry]) -> Entry {
        if let entry = entries[home] { return entry }
        let entry = Entry(
            latency: HomeLatency(home: home, factory: factory), state: HomeSeries(home: home, factory: factory))
        entries[home] = entry
        return entry
    }
}
