import Benchmark

/// Entry point the benchmark plugin calls: registers every Wire benchmark.
///
/// Micro-benchmarks run an inner loop of `scalingFactor` operations per
/// iteration, so the scaled wall clock (marked `*` in the output) is the cost
/// of one operation. Bulk benchmarks also report `Throughput (MB/s)`, decimal
/// megabytes of payload per second, measured around the work itself.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        warmupIterations: 3,
        maxDuration: .seconds(2),
        maxIterations: 100_000
    )
    registerFrameHeaderBenchmarks()
    registerFrameBenchmarks()
    registerMultiplexerBenchmarks()
    registerLZ4Benchmarks()
}
