import NIOCore
import NIOPosix
import TestSupport
import Testing
@testable import Wire

/// Session rate limits on real sessions over loopback TCP. The listener plays
/// the edge (it opens the streams and holds the limits), the dialer the home.
/// Rates are measured from each stream's first byte, with tolerances wide
/// enough for a loaded 2-core runner; the precise numbers come from the
/// bandwidth benchmark (docs/benchmarks.md).
@Suite("Session rate limits over loopback", .serialized, .timeLimit(.minutes(1)))
struct SessionRateLimitTests {
    /// 2 MB/s (16 Mbit/s) with a 64 KiB burst.
    static let rate = 2_000_000
    static let limit = TokenBucket.Limit.limited(bytesPerSecond: UInt64(rate), burst: 65_536)

    /// A pair whose dialer floods every stream named "flood" and counts the
    /// bytes of a stream named "count-N" into `counters[N]`.
    static func pair(counters: [TimedCounter] = []) async throws -> SessionPair {
        try await SessionPair(dialerStreams: { stream in
            stream.eventLoop.makeCompletedFuture {
                let forward = stream.metadata.forward
                if forward == "flood" {
                    try stream.pipeline.syncOperations.addHandler(FloodHandler(chunk: 65_536, limit: .max))
                } else if let index = Int(forward.dropFirst("count-".count)) {
                    try stream.pipeline.syncOperations.addHandler(counters[index])
                }
            }
        })
    }

    /// Opens a stream from the listener whose dialer end floods, counting what arrives.
    static func receive(on pair: SessionPair, into counter: TimedCounter) async throws {
        _ = try await pair.listener.openStream(metadata: StreamMetadata(forward: "flood")) { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(counter) }
        }.get()
    }

    /// Bytes per second in `from..<to` after the counter's first byte, once that time has passed.
    static func rate(of counter: TimedCounter, from: Duration, to: Duration) async throws -> Double {
        #expect(try await eventually(timeout: .seconds(10)) { counter.firstArrival != nil })
        let first = try #require(counter.firstArrival)
        try await Task.sleep(until: first + to + .milliseconds(50))
        return Double(counter.bytes(from: first + from, to: first + to)) / (to - from).seconds
    }

    @Test("the send limit paces what the peer receives, and the traffic counters say so")
    func sendLimit() async throws {
        let counter = TimedCounter()
        let pair = try await Self.pair(counters: [counter])
        pair.listener.setRateLimits(SessionRateLimits(send: Self.limit))
        _ = try await pair.listener.openStream(metadata: StreamMetadata(forward: "count-0")) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(FloodHandler(chunk: 65_536, limit: .max))
            }
        }.get()
        let measured = try await Self.rate(of: counter, from: .milliseconds(500), to: .seconds(2))
        #expect(abs(measured / Double(Self.rate) - 1) < 0.1, "measured \(measured) B/s")
        let traffic = try await pair.listener.traffic.get()
        #expect(traffic.sent.limit == Self.limit)
        #expect(traffic.sent.throttledNanoseconds > 1_000_000_000)
        #expect(abs(Double(traffic.sent.bytesPerSecond) / Double(Self.rate) - 1) < 0.2, "\(traffic.sent)")
        #expect(traffic.received.limit == .unlimited)
        try await pair.shutdown()
    }

    @Test("the receive limit slows the sender through flow control; buffering stays within a stream window and PINGs stay prompt")
    func receiveLimit() async throws {
        let pair = try await Self.pair()
        pair.listener.setRateLimits(SessionRateLimits(receive: Self.limit))
        let counter = TimedCounter()
        try await Self.receive(on: pair, into: counter)
        var slowest = TimeAmount.zero
        for _ in 0..<10 {
            slowest = max(slowest, try await pair.listener.ping().get())
            try await Task.sleep(for: .milliseconds(100))
        }
        let measured = try await Self.rate(of: counter, from: .milliseconds(500), to: .seconds(2))
        #expect(abs(measured / Double(Self.rate) - 1) < 0.1, "measured \(measured) B/s")
        #expect(slowest < .milliseconds(100), "slowest PING \(slowest)")
        let buffered = try await pair.listener.bufferedBytes.get().buffered
        #expect(buffered <= SessionConfiguration().initialStreamWindow + 65_536, "\(buffered) bytes buffered")
        let traffic = try await pair.listener.traffic.get()
        #expect(traffic.received.bytes > UInt64(Self.rate))
        try await pair.shutdown()
    }

    @Test("streams share the limit: one started later gets half within a second; a new limit applies to running streams")
    func fairShareAndLiveChange() async throws {
        let pair = try await Self.pair()
        pair.listener.setRateLimits(SessionRateLimits(receive: Self.limit))
        let bulk = TimedCounter(), late = TimedCounter()
        try await Self.receive(on: pair, into: bulk)
        #expect(try await eventually { bulk.firstArrival != nil })
        try await Task.sleep(for: .seconds(1))
        try await Self.receive(on: pair, into: late)
        #expect(try await eventually { late.firstArrival != nil })
        let start = try #require(late.firstArrival)
        try await Task.sleep(until: start + .seconds(1) + .milliseconds(50))
        let lateBytes = late.bytes(from: start, to: start + .seconds(1))
        let bulkBytes = bulk.bytes(from: start, to: start + .seconds(1))
        let share = Double(lateBytes) / Double(max(1, lateBytes + bulkBytes))
        #expect((0.4...0.6).contains(share), "late \(lateBytes), bulk \(bulkBytes)")

        // A quarter of the rate, applied while both run.
        let changed = ContinuousClock.now
        pair.listener.setRateLimits(SessionRateLimits(receive: .limited(bytesPerSecond: UInt64(Self.rate / 4), burst: 65_536)))
        try await Task.sleep(until: changed + .milliseconds(1_550))
        let after = bulk.bytes(from: changed + .milliseconds(500), to: changed + .milliseconds(1_500))
            + late.bytes(from: changed + .milliseconds(500), to: changed + .milliseconds(1_500))
        #expect(abs(Double(after) / Double(Self.rate / 4) - 1) < 0.15, "\(after) B in the second after the change")

        // Cleared: well above the old limit at once. Only briefly, since an
        // unlimited flood takes a whole core from the tests running beside it.
        pair.listener.setRateLimits(.unlimited)
        let cleared = ContinuousClock.now
        try await Task.sleep(until: cleared + .milliseconds(350))
        try await pair.shutdown()
        let free = bulk.bytes(from: cleared + .milliseconds(100), to: cleared + .milliseconds(350))
        #expect(free > Self.rate, "\(free) B in a quarter second unlimited")
    }
}

/// What one stream may queue for sending is bounded locally, whatever credit
/// the peer grants: a home cannot make the edge buffer without limit.
@Suite("Outbound queue bound", .timeLimit(.minutes(1)))
struct OutboundQueueBoundTests {
    /// The peer advertises a 512 MiB stream window and never reads; a
    /// writer that respects writability on our side floods 32 MiB.
    static func flood(listenerLimits: SessionRateLimits) async throws -> (queued: Int, pair: SessionPair) {
        var greedy = SessionConfiguration()
        greedy.initialStreamWindow = 512 * 1024 * 1024
        greedy.memoryBudget = 4 * 1024 * 1024
        var ours = SessionConfiguration()
        ours.maxStreamWindow = 1024 * 1024
        let pair = try await SessionPair(
            configuration: greedy, listenerConfiguration: ours,
            dialerStreams: { $0.setOption(ChannelOptions.autoRead, value: false) })
        pair.listener.setRateLimits(listenerLimits)
        let flood = FloodHandler(chunk: 65_536, limit: 32 * 1024 * 1024)
        let stream = try await pair.listener.openStream(metadata: StreamMetadata(forward: "sink")) { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(flood) }
        }.get()
        // Settled: the peer's memory budget is full and nothing more moves.
        var last = -1
        while true {
            try await Task.sleep(for: .milliseconds(200))
            let queued = try await StreamNumbers.of(stream).queued
            if queued == last { return (queued, pair) }
            last = queued
        }
    }

    @Test("a peer granting huge credit while reading nothing gets at most our largest stream window queued")
    func hugeCreditIsNotBuffered() async throws {
        let (queued, pair) = try await Self.flood(listenerLimits: .unlimited)
        #expect(queued <= 1024 * 1024 + 65_536, "\(queued) bytes queued")
        try await pair.shutdown()
    }

    @Test("under a send limit a stream queues no more than the burst")
    func pacedStreamsQueueTheBurst() async throws {
        let (queued, pair) = try await Self.flood(
            listenerLimits: SessionRateLimits(send: .limited(bytesPerSecond: 100_000_000, burst: 200_000)))
        #expect(queued <= 200_000 + 65_536, "\(queued) bytes queued")
        try await pair.shutdown()
    }
}
