import Benchmark
import NIOCore
import Wire

/// Bulk transfer through two sessions over an in-memory transport: the
/// dialer opens `streams` streams and writes 64 MiB in total, split evenly,
/// in 64 KiB writes that respect `isWritable`; the listener counts what its
/// streams deliver. Measures the multiplexer, flow control and codec with no
/// TLS and no socket. An iteration fails if any byte or stream goes missing.
func registerMultiplexerBenchmarks() {
    let total = 64 * 1024 * 1024
    let chunk = BenchmarkData.random(64 * 1024)

    for streams in [1, 100] {
        let name = "Mux 64 MiB over \(streams) stream\(streams == 1 ? "" : "s")"
        Benchmark(name, configuration: .bulk(scalingFactor: .one, maxDuration: .seconds(4))) { benchmark in
            do {
                let pair = try InMemorySessionPair()
                defer { pair.finish() }
                let perStream = total / streams
                let expected = perStream * streams
                benchmark.startMeasurement()
                try benchmark.measureRate(bytes: expected) {
                    for _ in 0..<streams {
                        _ = pair.dialer.openStream(metadata: StreamMetadata(forward: "bench")) { channel in
                            channel.eventLoop.makeCompletedFuture {
                                try channel.pipeline.syncOperations.addHandler(BulkWriter(chunk: chunk, total: perStream))
                            }
                        }
                    }
                    try pair.pump()
                }
                benchmark.stopMeasurement()
                let open = try (pair.dialer.activeStreamCount.wait(), pair.listener.activeStreamCount.wait())
                if pair.received.bytes != expected || pair.received.streamsFinished != streams || open != (0, 0) {
                    benchmark.error(
                        "transfer incomplete: \(pair.received.bytes) of \(expected) bytes, \(pair.received.streamsFinished) of \(streams) streams finished, open streams \(open)"
                    )
                }
            } catch {
                benchmark.error("\(error)")
            }
        }
    }
}
