import Benchmark
import NIOCore
import Wire

/// `LZ4.compress` / `LZ4.decompress` on one 16 KiB DATA payload, the unit the
/// multiplexer compresses. Rates count uncompressed bytes.
func registerLZ4Benchmarks() {
    let size = 16 * 1024
    let allocator = ByteBufferAllocator()
    let text = BenchmarkData.compressible(size)
    let noise = BenchmarkData.random(size)

    Benchmark("LZ4 compress 16 KiB text", configuration: .bulk(scalingFactor: .kilo)) { benchmark in
        benchmark.startMeasurement()
        benchmark.measureRate(bytes: size * benchmark.scaledIterations.count) {
            for _ in benchmark.scaledIterations {
                blackHole(LZ4.compress(text, allocator: allocator)!)
            }
        }
    }

    Benchmark("LZ4 decompress 16 KiB text", configuration: .bulk(scalingFactor: .kilo)) { benchmark in
        let block = LZ4.compress(text, allocator: allocator)!
        benchmark.startMeasurement()
        try benchmark.measureRate(bytes: size * benchmark.scaledIterations.count) {
            for _ in benchmark.scaledIterations {
                blackHole(try LZ4.decompress(block, decodedLength: size, allocator: allocator))
            }
        }
    }

    // Incompressible input: compress must give up (return nil) cheaply,
    // since the multiplexer tries every frame of a compressed stream.
    Benchmark("LZ4 compress 16 KiB random (gives up)", configuration: .bulk(scalingFactor: .kilo)) { benchmark in
        precondition(LZ4.compress(noise, allocator: allocator) == nil, "random data compressed")
        benchmark.startMeasurement()
        benchmark.measureRate(bytes: size * benchmark.scaledIterations.count) {
            for _ in benchmark.scaledIterations {
                blackHole(LZ4.compress(noise, allocator: allocator))
            }
        }
    }
}
