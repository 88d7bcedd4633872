import NIOCore
import NIOEmbedded
import Testing
@testable import Wire

/// The pacing pieces on a virtual clock: the meter, the pacer's wake-ups and
/// accounting, and the delivery queue's turns.
@Suite("Traffic pacing")
struct TrafficPacingTests {
    static let millisecond: UInt64 = 1_000_000

    @Test func meterReadsTheLastWholeSecond() {
        var meter = TrafficMeter()
        let start: UInt64 = 5_000 * Self.millisecond
        // 1,000 bytes every 10 ms for 2 s: 100 kB/s.
        for step in 0..<200 { meter.record(1_000, now: start + UInt64(step) * 10 * Self.millisecond) }
        #expect(meter.bytesPerSecond(now: start + 2_000 * Self.millisecond) == 100_000)
        // Nothing for half a second: half the window is empty.
        #expect(meter.bytesPerSecond(now: start + 2_500 * Self.millisecond) == 50_000)
        // Long quiet: nothing left, and old slots never come back.
        #expect(meter.bytesPerSecond(now: start + 60_000 * Self.millisecond) == 0)
        meter.record(7, now: start + 60_000 * Self.millisecond)
        #expect(meter.bytesPerSecond(now: start + 60_100 * Self.millisecond) == 7)
    }

    @Test func meterToleratesAClockStepBack() {
        var meter = TrafficMeter()
        meter.record(10, now: 2_000 * Self.millisecond)
        meter.record(10, now: 1_000 * Self.millisecond)
        #expect(meter.bytesPerSecond(now: 2_100 * Self.millisecond) == 20)
    }

    @Test func pacerWakesWhenTheTokensAreThere() throws {
        let loop = EmbeddedEventLoop()
        let wakes = Counter()
        // 100,000 B/s, burst 20,000: starts full.
        let pacer = TrafficPacer(eventLoop: loop, limit: .limited(bytesPerSecond: 100_000, burst: 20_000)) { wakes.value += 1 }
        #expect(pacer.allowance() == 20_000)
        pacer.spend(20_000)
        #expect(pacer.allowance() == 0)
        pacer.wait(for: 10_000)
        loop.advanceTime(by: .milliseconds(99))
        #expect(wakes.value == 0)
        loop.advanceTime(by: .milliseconds(1))
        #expect(wakes.value == 1)
        #expect(pacer.allowance() == 10_000)
        // Waiting 100 ms counted as throttled.
        #expect(pacer.snapshot.throttledNanoseconds == 100 * Self.millisecond)
        #expect(pacer.snapshot.bytes == 20_000)
    }

    @Test func pacerKeepsOnlyTheEarliestWakeUp() {
        let loop = EmbeddedEventLoop()
        let wakes = Counter()
        let pacer = TrafficPacer(eventLoop: loop, limit: .limited(bytesPerSecond: 100_000, burst: 50_000)) { wakes.value += 1 }
        pacer.spend(50_000)
        pacer.wait(for: 30_000)
        pacer.wait(for: 10_000)
        pacer.wait(for: 20_000)
        loop.advanceTime(by: .milliseconds(100))
        #expect(wakes.value == 1)
        loop.advanceTime(by: .seconds(1))
        #expect(wakes.value == 1)
    }

    @Test func aNewLimitWakesWhoeverWaits() {
        let loop = EmbeddedEventLoop()
        let wakes = Counter()
        let pacer = TrafficPacer(eventLoop: loop, limit: .limited(bytesPerSecond: 1_000, burst: 16_384)) { wakes.value += 1 }
        pacer.spend(16_384)
        pacer.wait(for: 16_384) // 16 s at this rate
        pacer.setLimit(.unlimited)
        loop.run()
        #expect(wakes.value == 1)
        #expect(pacer.allowance() == .max)
        #expect(pacer.snapshot.limit == .unlimited)
    }

    @Test func highRatesWakeAtMostEveryMillisecond() {
        let loop = EmbeddedEventLoop()
        let wakes = Counter()
        // 1.25 GB/s (10 Gbit/s): a millisecond is 1.25 MB.
        let pacer = TrafficPacer(eventLoop: loop, limit: .limited(bytesPerSecond: 1_250_000_000, burst: 125_000_000)) {
            wakes.value += 1
        }
        pacer.spend(125_000_000)
        pacer.wait(for: 1)
        loop.advanceTime(by: .microseconds(999))
        #expect(wakes.value == 0)
        loop.advanceTime(by: .microseconds(1))
        #expect(wakes.value == 1)
        #expect(pacer.allowance() == 1_250_000)
    }

    @Test func unlimitedCountsButNeverWaits() {
        let loop = EmbeddedEventLoop()
        let pacer = TrafficPacer(eventLoop: loop) {}
        pacer.spend(1 << 40)
        #expect(pacer.allowance() == .max)
        #expect(pacer.snapshot.bytes == 1 << 40)
        #expect(pacer.snapshot.throttledNanoseconds == 0)
    }

    /// Streams with backlogs that read again after every delivery, as an
    /// auto-reading pipeline does.
    final class Readers {
        var backlog: [StreamID: Int] = [:]
        var delivered: [StreamID: Int] = [:]
        var queue: DeliveryQueue!

        init(loop: EventLoop, limit: TokenBucket.Limit) {
            queue = DeliveryQueue(eventLoop: loop) { [unowned self] id in self.read(id) }
            queue.pacer.setLimit(limit)
        }

        func read(_ id: StreamID) {
            while let wanted = backlog[id], wanted > 0 {
                let granted = queue.allowance(wanted, for: id)
                guard granted > 0 else { return }
                backlog[id] = wanted - granted
                delivered[id, default: 0] += granted
            }
        }
    }

    @Test func aLaterStreamGetsEveryOtherTurn() {
        let loop = EmbeddedEventLoop()
        // 160 kB/s, burst 64 KiB.
        let readers = Readers(loop: loop, limit: .limited(bytesPerSecond: 160_000, burst: 65_536))
        let bulk = StreamID(1), late = StreamID(3)
        readers.backlog[bulk] = 10_000_000
        readers.read(bulk)
        #expect(readers.delivered[bulk] == 65_536) // the burst
        loop.advanceTime(by: .seconds(1))
        readers.backlog[late] = 10_000_000
        readers.read(late)
        let before = readers.delivered
        loop.advanceTime(by: .seconds(2))
        let bulkShare = readers.delivered[bulk]! - before[bulk]!
        let lateShare = readers.delivered[late, default: 0] - before[late, default: 0]
        // 320 kB in 2 s, split evenly to within one quantum.
        #expect(abs(bulkShare + lateShare - 320_000) <= 16_384)
        #expect(abs(bulkShare - lateShare) <= 16_384)
    }

    @Test func tenStreamsShareEvenly() {
        let loop = EmbeddedEventLoop()
        let readers = Readers(loop: loop, limit: .limited(bytesPerSecond: 1_000_000, burst: 100_000))
        let ids = (0..<10).map { StreamID(UInt32(2 * $0 + 1)) }
        for id in ids {
            readers.backlog[id] = 100_000_000
            readers.read(id)
        }
        // The first to ask took the burst; after that, turns.
        #expect(readers.delivered[ids[0]] == 100_000)
        let before = readers.delivered
        loop.advanceTime(by: .seconds(10))
        let shares = ids.map { readers.delivered[$0, default: 0] - before[$0, default: 0] }
        let total = shares.reduce(0, +)
        #expect(abs(total - 10_000_000) <= 16_384)
        for share in shares { #expect(abs(Double(share) / Double(total) - 0.1) < 0.005, "\(shares)") }
    }

    @Test func aStreamThatEndsLeavesTheQueue() {
        let loop = EmbeddedEventLoop()
        let readers = Readers(loop: loop, limit: .limited(bytesPerSecond: 100_000, burst: 16_384))
        let first = StreamID(1), second = StreamID(3)
        readers.backlog[first] = 1_000_000
        readers.backlog[second] = 1_000_000
        readers.read(first)
        readers.read(second)
        readers.queue.remove(second)
        readers.backlog[second] = nil
        loop.advanceTime(by: .seconds(1))
        #expect(readers.delivered[first]! >= 100_000)
        #expect(readers.delivered[second] == nil)
    }

    @Test func clearingTheLimitReleasesEveryWaiter() {
        let loop = EmbeddedEventLoop()
        let readers = Readers(loop: loop, limit: .limited(bytesPerSecond: 100_000, burst: 16_384))
        let ids = [StreamID(1), StreamID(3), StreamID(5)]
        for id in ids {
            readers.backlog[id] = 1_000_000
            readers.read(id)
        }
        readers.queue.pacer.setLimit(.unlimited)
        loop.run()
        for id in ids { #expect(readers.backlog[id] == 0) }
    }
}

/// A mutable count for closures on an embedded loop (single-threaded).
final class Counter: @unchecked Sendable {
    var value = 0
}
