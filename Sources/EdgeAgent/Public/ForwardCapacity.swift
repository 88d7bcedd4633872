import Logging
import Synchronization

/// How many public connections each home and each forward hold open.
///
/// A home holds at most the streams its session accepts and never more than
/// the edge's own per-home cap (a home announcing a million streams must not
/// let its clients take every descriptor the edge has); one forward holds at
/// most three quarters of its home's share (and no more than the edge's
/// per-forward cap, when one is set), so a busy forward cannot starve the
/// home's others.
final class ForwardCapacity: Sendable {
    private struct Key: Hashable {
        var home: String
        var forward: String
    }

    private struct State {
        var open: [Key: Int] = [:]
        var openPerHome: [String: Int] = [:]
        /// When a cap was last logged for a forward (once per 10 s at most).
        var lastLogged: [Key: ContinuousClock.Instant] = [:]
    }

    static let defaultPerHomeLimit = 8192

    /// The edge's own cap per home.
    let perHomeLimit: Int
    /// The edge's own cap per forward, if any.
    let perForwardLimit: Int?
    private let state = Mutex(State())
    private let logger: Logger

    init(perHomeLimit: Int = ForwardCapacity.defaultPerHomeLimit, perForwardLimit: Int? = nil, logger: Logger) {
        self.perHomeLimit = perHomeLimit
        self.perForwardLimit = perForwardLimit
        self.logger = logger
    }

    /// The most connections a home may hold when its session allows `homeLimit` streams.
    func homeShare(homeLimit: Int) -> Int {
        min(homeLimit, perHomeLimit)
    }

    /// The most connections one forward may hold when its home's session allows `homeLimit` streams.
    func limit(homeLimit: Int) -> Int {
        let home = homeShare(homeLimit: homeLimit)
        let share = max(1, home - home / 4)
        return min(share, perForwardLimit ?? share)
    }

    /// A place for one more connection to the forward, or nil when it is at its cap.
    func acquire(home: String, forward: String, homeLimit: Int) -> Slot? {
        let key = Key(home: home, forward: forward)
        let limit = limit(homeLimit: homeLimit)
        let homeCap = homeShare(homeLimit: homeLimit)
        let refusal = state.withLock { state -> (Logger.Message, Int)? in
            guard state.openPerHome[home, default: 0] < homeCap else {
                return ("home at its connection cap; refusing new public connections", homeCap)
            }
            guard state.open[key, default: 0] < limit else {
                return ("forward at its connection cap; refusing new public connections", limit)
            }
            state.open[key, default: 0] += 1
            state.openPerHome[home, default: 0] += 1
            return nil
        }
        if let (message, cap) = refusal {
            logCap(message, home: home, forward: forward, limit: cap)
            return nil
        }
        return Slot(release: { [weak self] in self?.release(key) })
    }

    /// Logs that a cap was hit, at most once per 10 s per forward.
    func logCap(_ message: Logger.Message, home: String, forward: String, limit: Int) {
        let key = Key(home: home, forward: forward)
        let now = ContinuousClock.now
        let due = state.withLock { state -> Bool in
            if let last = state.lastLogged[key], now - last < .seconds(10) { return false }
            state.lastLogged[key] = now
            return true
        }
        guard due else { return }
        logger.notice(message, metadata: ["home.name": "\(home)", "forward": "\(forward)", "limit": "\(limit)"])
    }

    /// Connections open to a forward right now.
    func openConnections(home: String, forward: String) -> Int {
        state.withLock { $0.open[Key(home: home, forward: forward)] ?? 0 }
    }

    private func release(_ key: Key) {
        state.withLock { state in
            let left = state.open[key, default: 1] - 1
            state.open[key] = left > 0 ? left : nil
            let homeLeft = state.openPerHome[key.home, default: 1] - 1
            state.openPerHome[key.home] = homeLeft > 0 ? homeLeft : nil
        }
    }

    /// One connection's place; released once, however often `release` is called.
    final class Slot: Sendable {
        private let releaser: Mutex<(@Sendable () -> Void)?>

        fileprivate init(release: @escaping @Sendable () -> Void) {
            releaser = Mutex(release)
        }

        func release() {
            releaser.withLock { release in
                let pending = release
                release = nil
                return pending
            }?()
        }

        deinit { release() }
    }
}
