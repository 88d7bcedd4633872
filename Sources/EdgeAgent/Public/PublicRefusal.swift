import Metrics
import Synchronization

/// Why the edge turned a public connection away, counted per reason so an
/// operator can tell scanners (no SNI, not TLS) from misconfiguration
/// (unknown name) from an outage (home offline).
enum PublicRefusal: String, CaseIterable, Sendable {
    case noServerName = "no_server_name"
    case unknownName = "unknown_name"
    case homeOffline = "home_offline"
    case malformed
    case peekTimeout = "peek_timeout"
    case truncated
    case tooManyConnections = "too_many_connections"
    /// A later request on a kept-alive HTTP connection was for another home
    /// or forward than the first: the connection ended before it.
    case otherDestination = "other_destination"
    /// The forward held its share of the home's streams, or the home all of them.
    case atCapacity = "at_capacity"
}

/// Counters of refused public connections, shared by every listener:
/// `portico_public_refusals_total{reason}`, every reason from the start.
///
/// Each reason is counted twice at the same event: in the Prometheus counter,
/// and in a count `GET /api/routes` reads back (swift-metrics counters are
/// write-only).
final class PublicRefusalCounters: Sendable {
    private let counters: [PublicRefusal: Counter]
    private let counts = Mutex<[PublicRefusal: Int]>([:])

    init(factory: any MetricsFactory) {
        counters = Dictionary(uniqueKeysWithValues: PublicRefusal.allCases.map { reason in
            let dimensions = [("reason", reason.rawValue)]
            return (reason, Counter(label: "portico_public_refusals_total", dimensions: dimensions, factory: factory))
        })
    }

    func count(_ reason: PublicRefusal) {
        counters[reason]?.increment()
        counts.withLock { $0[reason, default: 0] += 1 }
    }

    func value(_ reason: PublicRefusal) -> Int {
        counts.withLock { $0[reason] ?? 0 }
    }

    var snapshot: [PublicRefusal: Int] {
        counts.withLock { $0 }
    }
}
