import Wire

/// The direction label of traffic series: `upload` is what the edge receives
/// from the home (home to public), `download` what it sends to the home.
enum TrafficDirection: String, CaseIterable, Sendable {
    case upload
    case download

    func limit(in limits: SessionRateLimits) -> TokenBucket.Limit {
        switch self {
        case .upload: limits.receive
        case .download: limits.send
        }
    }

    func snapshot(in traffic: SessionTraffic) -> TrafficSnapshot {
        switch self {
        case .upload: traffic.received
        case .download: traffic.sent
        }
    }
}
