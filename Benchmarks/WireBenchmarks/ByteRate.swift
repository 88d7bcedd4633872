import Benchmark

extension BenchmarkMetric {
    /// Payload bytes per second in decimal megabytes (1 MB = 10^6 bytes), one
    /// sample per iteration. Not scaled: it already describes the whole iteration.
    static var megabytesPerSecond: BenchmarkMetric {
        .custom("Throughput (MB/s)", polarity: .prefersLarger, useScalingFactor: false)
    }
}

extension Benchmark.Configuration {
    /// Metrics for benchmarks that move payload: the standard set plus MB/s.
    static func bulk(scalingFactor: BenchmarkScalingFactor, maxDuration: Duration = .seconds(2)) -> Self {
        .init(
            metrics: [.wallClock, .throughput, .mallocCountTotal, .megabytesPerSecond],
            units: [.megabytesPerSecond: .count],
            scalingFactor: scalingFactor,
            maxDuration: maxDuration
        )
    }
}

extension Benchmark {
    /// Runs `body`, timing it with a monotonic clock, and records `bytes`
    /// moved during it as MB/s.
    func measureRate(bytes: Int, _ body: () throws -> Void) rethrows {
        let clock = ContinuousClock()
        let start = clock.now
        try body()
        let elapsed = start.duration(to: clock.now)
        let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
        guard nanoseconds > 0 else { return }
        // bytes / ns = GB/s; * 1000 = MB/s.
        measurement(.megabytesPerSecond, Int((Double(bytes) / nanoseconds * 1000).rounded()))
    }
}
