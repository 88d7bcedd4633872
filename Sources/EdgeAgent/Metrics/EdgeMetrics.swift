import Metrics
import Prometheus

/// The edge's metrics: one Prometheus registry, the swift-metrics factory
/// over it, and the metric families the edge's parts measure into.
///
/// Each part declares its metrics where it measures them, through the
/// swift-metrics API with this `factory`. The edge owns the registry and
/// passes it down instead of reaching for the process-wide `MetricsSystem`,
/// because tests run many edges (listeners, API servers) in one process and
/// each must count only its own events, while `MetricsSystem` can be
/// bootstrapped only once per process. `edgeagent serve` bootstraps it with
/// this same factory, so a library reporting through swift-metrics lands in
/// the same `/metrics`.
final class EdgeMetrics: Sendable {
    /// What `GET /metrics` writes out.
    let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory
    /// Public connections turned away, by reason.
    let refusals: PublicRefusalCounters
    /// Every series labelled with a home.
    let homes: HomeMetrics
    /// How long the API took to answer.
    let api: APIRequestTimers

    init() {
        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = LatencyBuckets.all
        self.registry = registry
        self.factory = factory
        refusals = PublicRefusalCounters(factory: factory)
        homes = HomeMetrics(factory: factory)
        api = APIRequestTimers(factory: factory)
    }

    /// The Prometheus text format (0.0.4) of every series.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"
}
