import Benchmark
import NIOCore
import Wire

/// The fixed 12-byte header alone: `writeFrameHeader` then `readFrameHeader`
/// on a reused buffer. One op = one encode plus one decode.
func registerFrameHeaderBenchmarks() {
    Benchmark("Frame header encode+decode", configuration: .init(scalingFactor: .kilo)) { benchmark in
        var buffer = ByteBufferAllocator().buffer(capacity: FrameHeader.size)
        var header = FrameHeader(length: 16_384, type: .data, streamID: StreamID(1))
        benchmark.startMeasurement()
        for index in benchmark.scaledIterations {
            // Vary the fields so nothing is folded into a constant.
            header.streamID = StreamID(UInt32(truncatingIfNeeded: index) & 0x7FFF_FFFF)
            header.length = UInt32(truncatingIfNeeded: index)
            buffer.clear()
            buffer.writeFrameHeader(header)
            blackHole(buffer.readFrameHeader()!)
        }
    }
}

/// Whole frames through the public codec: `ByteBuffer.writeFrame` and
/// `FrameDecoder.append` / `nextFrame()`.
func registerFrameBenchmarks() {
    let small: [(String, (UInt32) -> Frame)] = [
        ("WINDOW_UPDATE", { .windowUpdate(StreamID(($0 & 0xFFFF) | 1), increment: ($0 & 0xFFFF) + 1) }),
        ("PING", { .ping(UInt64($0)) }),
    ]
    for (name, make) in small {
        Benchmark("Frame encode \(name)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            var buffer = ByteBufferAllocator().buffer(capacity: 64)
            benchmark.startMeasurement()
            for index in benchmark.scaledIterations {
                buffer.clear()
                buffer.writeFrame(make(UInt32(truncatingIfNeeded: index)))
                blackHole(buffer.readableBytes)
            }
        }
        Benchmark("Frame decode \(name)", configuration: .init(scalingFactor: .kilo)) { benchmark in
            var wire = ByteBufferAllocator().buffer(capacity: 64)
            wire.writeFrame(make(7))
            var decoder = FrameDecoder()
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                decoder.append(wire)
                blackHole(try decoder.nextFrame()!)
            }
        }
    }

    let size = 16 * 1024
    let payload = BenchmarkData.random(size)
    let id = StreamID(1)

    // Copies the payload into the output buffer: what `writeFrame` costs for
    // a caller that wants one contiguous frame.
    Benchmark("Frame encode DATA 16 KiB", configuration: .bulk(scalingFactor: .kilo)) { benchmark in
        var buffer = ByteBufferAllocator().buffer(capacity: FrameHeader.size + size)
        benchmark.startMeasurement()
        benchmark.measureRate(bytes: size * benchmark.scaledIterations.count) {
            for _ in benchmark.scaledIterations {
                buffer.clear()
                buffer.writeFrame(.data(id, .plain(payload)))
                blackHole(buffer.readableBytes)
            }
        }
    }

    // Whole frame in one buffer: the decoder takes the buffer and returns a
    // slice of it, so no payload byte is copied.
    Benchmark("Frame decode DATA 16 KiB (one buffer)", configuration: .bulk(scalingFactor: .kilo)) { benchmark in
        var wire = ByteBufferAllocator().buffer(capacity: FrameHeader.size + size)
        wire.writeFrame(.data(id, .plain(payload)))
        var decoder = FrameDecoder()
        benchmark.startMeasurement()
        try benchmark.measureRate(bytes: size * benchmark.scaledIterations.count) {
            for _ in benchmark.scaledIterations {
                decoder.append(wire)
                blackHole(try decoder.nextFrame()!)
            }
        }
    }

    // Header and payload arrive as two buffers, as the session handler writes
    // them (and as an in-memory transport delivers them): the decoder keeps
    // the header and appends the payload behind it, copying it once.
    Benchmark("Frame decode DATA 16 KiB (header, payload split)", configuration: .bulk(scalingFactor: .kilo)) { benchmark in
        var header = ByteBufferAllocator().buffer(capacity: FrameHeader.size)
        header.writeFrameHeader(FrameHeader(length: UInt32(size), type: .data, streamID: id))
        var decoder = FrameDecoder()
        benchmark.startMeasurement()
        try benchmark.measureRate(bytes: size * benchmark.scaledIterations.count) {
            for _ in benchmark.scaledIterations {
                decoder.append(header)
                let partial = try decoder.nextFrame()
                precondition(partial == nil)
                decoder.append(payload)
                blackHole(try decoder.nextFrame()!)
            }
        }
    }
}
