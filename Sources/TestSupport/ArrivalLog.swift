import Synchronization

/// Bytes as they arrive, each arrival stamped with the clock, readable from
/// any thread: how tests measure a rate over a window without trusting the
/// sender's idea of time.
public final class ArrivalLog: Sendable {
    private let arrivals = Mutex<[(at: ContinuousClock.Instant, total: Int)]>([])

    public init() {}

    public func record(_ count: Int, at now: ContinuousClock.Instant = .now) {
        arrivals.withLock { $0.append((now, ($0.last?.total ?? 0) + count)) }
    }

    /// When the first byte arrived.
    public var firstArrival: ContinuousClock.Instant? { arrivals.withLock { $0.first?.at } }

    /// All bytes so far.
    public var total: Int { arrivals.withLock { $0.last?.total ?? 0 } }

    /// When the total first reached `count` bytes.
    public func instant(reaching count: Int) -> ContinuousClock.Instant? {
        arrivals.withLock { list in list.first { $0.total >= count }?.at }
    }

    /// Bytes that arrived in `from..<to`.
    public func bytes(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> Int {
        arrivals.withLock { list in
            let before = list.last { $0.at < from }?.total ?? 0
            let through = list.last { $0.at < to }?.total ?? 0
            return through - before
        }
    }

    /// Bytes per second in `from..<to`.
    public func rate(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> Double {
        Double(bytes(from: from, to: to)) / (to - from).seconds
    }

    /// The cumulative byte count at regular instants after `start`.
    public func samples(every step: Duration, from start: ContinuousClock.Instant) -> [(at: Duration, bytes: Int)] {
        let recorded = arrivals.withLock { $0 }
        guard let last = recorded.last else { return [] }
        var result: [(at: Duration, bytes: Int)] = []
        var index = 0
        var total = 0
        var instant = start + step
        while instant <= last.at {
            while index < recorded.count, recorded[index].at <= instant {
                total = recorded[index].total
                index += 1
            }
            result.append((instant - start, total))
            instant += step
        }
        return result
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    public var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
