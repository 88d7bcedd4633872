import Logging
import Synchronization

/// How many public connections each forward holds open, so that one busy
/// forward cannot take every stream its home accepts and starve the home's
/// other forwards: a forward may use at most three quarters of the streams
/// its home's session allows (and no more than the edge's own per-forward
/// cap, when one is set).
final class ForwardCapacity: Sendable {
    private struct Key: Hashable {
        var home: String
        var forward: String
    }

    private struct State {
        var open: [Key: Int] = [:]
        /// When a cap was last logged for a forward (once per 10 s at most).
        var lastLogged: [Key: ContinuousClock.Instant] = [:]
    }

    /// The edge's own cap per forward, if any.
    let perForwardLimit: Int?
    private let state = Mutex(State())
    private let logger: Logger

    init(perForwardLimit: Int? = nil, logger: Logger) {
        self.perForwardLimit = perForwardLimit
        self.logger = logger
    }

    /// The most connections one forward may hold when its home allows `homeLimit` streams.
    func limit(homeLimit: Int) -> Int {
        let share = max(1, homeLimit - homeLimit / 4)
        return min(share, perForwardLimit ?? share)
    }

    /// A place for one more connection to the forward, or nil when it is at its cap.
    func acquire(home: String, forward: String, homeLimit: Int) -> Slot? {
        let key = Key(home: home, forward: forward)
        let limit = limit(homeLimit: homeLimit)
        let taken = state.withLock { state -> Bool in
            guard state.open[key, default: 0] < limit else { return false }
            state.open[key, default: 0] += 1
            return true
        }
        guard taken else {
            logCap("forward at its connection cap; refusing new public connections",
                home: home, forward: forward, limit: limit)
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
