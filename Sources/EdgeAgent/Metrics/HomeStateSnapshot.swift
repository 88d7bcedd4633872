import Wire

/// What the per-home state series show, read at scrape time from the
/// registry (which homes exist, in which state, with which limits) and the
/// live sessions (what each carried).
struct HomeStateSnapshot: Sendable {
    /// One home's state.
    struct Entry: Sendable {
        /// Limited directions only, in bytes per second.
        var limits: [TrafficDirection: UInt64] = [:]
        /// Nil while the home has no live session.
        var traffic: [TrafficDirection: TrafficSnapshot]?
    }

    /// Every home in the registry.
    var homes: [String: Entry] = [:]
    var countsByState: [Home.State: Int] = [:]

    /// Reads the registry, then each home's live session on its own loop.
    static func read(registry: Registry, sessions: HomeSessionTable) async throws -> HomeStateSnapshot {
        var snapshot = HomeStateSnapshot()
        for home in try await registry.homes() {
            snapshot.countsByState[home.state, default: 0] += 1
            var entry = Entry()
            for direction in TrafficDirection.allCases {
                if case .limited(let rate, _) = direction.limit(in: home.rateLimits) { entry.limits[direction] = rate }
            }
            if let live = await sessions.traffic(of: home.name) {
                entry.traffic = Dictionary(
                    uniqueKeysWithValues: TrafficDirection.allCases.map { ($0, $0.snapshot(in: live)) })
            }
            snapshot.homes[home.name] = entry
        }
        return snapshot
    }
}
