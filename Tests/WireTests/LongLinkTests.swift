import TestSupport
import Foundation
import LinkEmulator
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Wire

/// One stream over an emulated long, fast link (50 ms each way, 200 Mbit/s):
/// the stream's window must grow to the bandwidth-delay product so the stream
/// fills the link. With PORTICO_BENCH=1 (see `make bench-longlink`) the run is
/// longer and prints the ramp-up and steady numbers recorded in docs/benchmarks.md.
@Suite("Long link: window growth fills a 100 ms, 200 Mbit/s path", .timeLimit(.minutes(1)))
struct LongLinkTests {
    static let benchMode = ProcessInfo.processInfo.environment["PORTICO_BENCH"] == "1"

    @Test("one stream reaches most of the link rate once its window has grown")
    func windowGrowsToBandwidthDelayProduct() async throws {
        let capBitsPerSecond = 200_000_000
        let capBytesPerSecond = Double(capBitsPerSecond) / 8
        let link = LinkProfile(delay: .milliseconds(50), bitsPerSecond: capBitsPerSecond, queueLimit: 4 * 1024 * 1024)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = EmulatorBox()
        let counter = TimedCounter()
        let pair = try await SessionPair(listenerStreams: { stream in
            stream.eventLoop.makeCompletedFuture { try stream.pipeline.syncOperations.addHandler(counter) }
        }) { target in
            let emulator = try await LinkEmulator(group: group, target: target, upstream: link, downstream: link)
            box.emulator = emulator
            return emulator.address
        }

        let duration: Duration = Self.benchMode ? .seconds(12) : .seconds(6)
        let start = ContinuousClock.now
        _ = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "bulk")) { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FloodHandler(chunk: 65_536, limit: Int.max)) }
        }.get()

        try await Task.sleep(for: duration)
        // Arrivals are stamped on the event loop, so a busy test runner cannot skew them.
        let samples = counter.samples(every: .milliseconds(100), from: start)
        let rates = zip(samples, samples.dropFirst(5)).map { earlier, later in
            (at: later.at, rate: Double(later.bytes - earlier.bytes) / (later.at - earlier.at).seconds)
        }
        let target = 0.8 * capBytesPerSecond
        let rampUp = rates.first { $0.rate >= target }?.at
        let steady = rates.suffix(10).map(\.rate).reduce(0, +) / Double(max(1, min(10, rates.count)))
        let best = rates.map(\.rate).max() ?? 0
        let window = try await StreamNumbers.of(try #require(counter.stream)).receiveWindow
        let report = String(
            format: "long link: steady %.1f Mbit/s (%.0f%% of cap), best 0.5 s %.1f Mbit/s, ramp-up to 80%%: %@, final stream window %d KiB",
            steady * 8 / 1e6, 100 * steady / capBytesPerSecond, best * 8 / 1e6,
            rampUp.map { "\($0.seconds) s" } ?? "not reached", window / 1024)
        print(report)
        if Self.benchMode {
            #expect(steady >= target, "\(report)")
        } else {
            // Tolerant in debug builds on a shared machine: the window must have
            // grown well past its start and the link must be mostly full.
            #expect(window > 4 * SessionConfiguration().initialStreamWindow, "\(report)")
            #expect(best >= 0.5 * capBytesPerSecond, "\(report)")
        }
        try await pair.dialer.channel.close()
        try await box.emulator?.close()
        try await pair.shutdown()
        try await group.shutdownGracefully()
    }

}

/// Counts bytes received by one stream and stamps each arrival with the
/// clock, readable from any thread.
final class TimedCounter: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    private let log = ArrivalLog()
    private let channel = Mutex<WireStreamChannel?>(nil)

    var stream: WireStreamChannel? { channel.withLock { $0 } }

    /// When the first byte arrived.
    var firstArrival: ContinuousClock.Instant? { log.firstArrival }

    /// Bytes that arrived in `from..<to`.
    func bytes(from: ContinuousClock.Instant, to: ContinuousClock.Instant) -> Int {
        log.bytes(from: from, to: to)
    }

    /// The cumulative byte count at regular instants after `start`.
    func samples(every step: Duration, from start: ContinuousClock.Instant) -> [(at: Duration, bytes: Int)] {
        log.samples(every: step, from: start)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let stream = context.channel as? WireStreamChannel
        channel.withLock { $0 = stream }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        log.record(unwrapInboundIn(data).readableBytes)
    }
}
