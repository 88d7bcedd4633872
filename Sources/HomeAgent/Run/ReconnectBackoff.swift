/// Delays between reconnect attempts: exponential with full jitter (a uniform
/// draw between zero and the current ceiling), so that many homes cut off by
/// one edge restart do not all come back in the same instant.
struct ReconnectBackoff: Sendable {
    var initial: Duration = .milliseconds(500)
    var maximum: Duration = .seconds(30)
    /// The share of the ceiling every delay waits at least: 0 is full
    /// jitter; ½ keeps rare retries rare (between half the ceiling and all of it).
    var floor: Double = 0
    /// Failed attempts since the last success.
    private(set) var failures = 0

    /// The ceiling for the next delay: `initial · 2^failures`, at most `maximum`.
    var ceiling: Duration {
        let factor = 1 << min(failures, 16)
        return min(initial * factor, maximum)
    }

    /// The delay before the next attempt; `unit` is a uniform draw from [0, 1].
    mutating func next(unit: Double = Double.random(in: 0...1)) -> Duration {
        let delay = ceiling * (floor + (1 - floor) * min(max(unit, 0), 1))
        failures += 1
        return delay
    }

    mutating func reset() {
        failures = 0
    }
}
