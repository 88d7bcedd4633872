import Metrics
import Synchronization

/// Every series labelled with a home, in one table, so that all of a home's
/// series leave the exposition together when the home leaves the registry.
///
/// Label cardinality is bounded by the registry: each scrape removes the
/// series of homes it no longer lists (deleted by the API, the CLI or another
/// edge).
final class HomeMetrics: Sendable {
    private let factory: any MetricsFactory
    private let homesByState: [Home.State: Gauge]
    private let entries = Mutex<[String: HomeSeries]>([:])

    init(factory: any MetricsFactory) {
        self.factory = factory
        homesByState = Dictionary(uniqueKeysWithValues: Home.State.allCases.map { state in
            (state, Gauge(label: "portico_homes", dimensions: [("state", state.rawValue)], factory: factory))
        })
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
            for (home, series) in entries where snapshot.homes[home] == nil {
                series.destroy()
                entries[home] = nil
            }
            for (home, state) in snapshot.homes {
                if entries[home] == nil { entries[home] = HomeSeries(home: home, factory: factory) }
                entries[home]?.update(state)
            }
            return emit()
        }
    }
}
