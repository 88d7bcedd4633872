import TestSupport
import LinkEmulator
import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Wire

@Suite("Flow control and backpressure over loopback TCP", .timeLimit(.minutes(1)))
struct FlowControlTests {
    /// Listener side: "stalled" streams never read; anything else echoes.
    static func listenerStreams(registry: StreamRegistry) -> SessionPair.StreamInitializer {
        { stream in
            if stream.metadata.forward.hasPrefix("stalled") {
                registry.add(stream)
                return stream.setOption(ChannelOptions.autoRead, value: false)
            }
            return stream.allowHalfClosure().flatMapThrowing { try stream.pipeline.syncOperations.addHandler(EchoHandler()) }
        }
    }

    @Test("a stalled reader holds no more than its window, and its sender no more than its credit")
    func stalledReaderIsBounded() async throws {
        let registry = StreamRegistry()
        let pair = try await SessionPair(listenerStreams: Self.listenerStreams(registry: registry))
        let flood = FloodHandler(chunk: 16_384)
        let sender = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "stalled")) { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(flood) }
        }.get()

        let window = SessionConfiguration().initialStreamWindow
        #expect(try await eventually { try await StreamNumbers.of(sender).sendWindow == 0 })
        try await Task.sleep(for: .milliseconds(200))  // give an overrun the chance to show
        let sent = try await StreamNumbers.of(sender)
        let receiver = try #require(registry.streams.first)
        let received = try await StreamNumbers.of(receiver)
        let written = try await sender.eventLoop.submit { flood.written }.get()

        // Receiver: holds exactly the window it granted, never more.
        #expect(received.inboundBuffered == window)
        #expect(received.receiveWindow == window)
        // Sender: what it queued is bounded by one chunk beyond its (exhausted) credit.
        #expect(sent.queued <= flood.chunk)
        #expect(written == window + sent.queued)
        #expect(!sender.isWritable)
        try await pair.shutdown()
    }

    @Test("a stalled stream does not delay other streams, and PING stays fast while every stream is blocked")
    func stalledStreamsDoNotBlockOthers() async throws {
        let registry = StreamRegistry()
        let pair = try await SessionPair(listenerStreams: Self.listenerStreams(registry: registry))
        var stalled: [WireStreamChannel] = []
        for index in 0..<20 {
            stalled.append(
                try await pair.dialer.openStream(metadata: StreamMetadata(forward: "stalled-\(index)")) { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FloodHandler()) }
                }.get())
        }
        for stream in stalled {
            #expect(try await eventually { try await StreamNumbers.of(stream).sendWindow == 0 })
        }

        var samples: [TimeAmount] = []
        for _ in 0..<20 { samples.append(try await pair.dialer.ping().get()) }
        samples.sort()
        let median = samples[samples.count / 2]
        // Loopback with every stream blocked: a PING is answered ahead of any DATA.
        #expect(median < .milliseconds(50), "median PING RTT \(median)")

        let payload = randomBytes(2 * 1024 * 1024, seed: 42)
        let collector = try await openCollecting(pair.dialer, forward: "echo")
        try await collector.channel.writeAndFlush(payload)
        try await collector.channel.close(mode: .output)
        #expect(try await collector.handler.done.futureResult.get() == payload)
        try await pair.shutdown()
    }

    @Test("a reader that resumes receives everything, and its window grows only within the budget")
    func resumedReaderGetsEverything() async throws {
        var config = SessionConfiguration()
        config.memoryBudget = 4 * 1024 * 1024
        config.maxStreamWindow = 2 * 1024 * 1024
        let registry = StreamRegistry()
        let pair = try await SessionPair(configuration: config, listenerStreams: Self.listenerStreams(registry: registry))
        let total = 24 * 1024 * 1024
        let flood = FloodHandler(chunk: 65_536, limit: total)
        _ = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "stalled")) { channel in
            channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(flood) }
        }.get()
        #expect(try await eventually { registry.streams.count == 1 })
        let receiver = registry.streams[0]
        let counter = CountHandler()
        try await receiver.eventLoop.submit {
            try receiver.pipeline.syncOperations.addHandler(counter)
            receiver.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
        }.get()
        #expect(try await eventually { try await receiver.eventLoop.submit { counter.received }.get() == total })
        let numbers = try await StreamNumbers.of(receiver)
        #expect(numbers.receiveWindow <= config.maxStreamWindow)
        try await pair.shutdown()
    }
}

/// Streams the listener accepted, for tests to inspect.
final class StreamRegistry: Sendable {
    private let storage = Mutex<[WireStreamChannel]>([])
    func add(_ stream: WireStreamChannel) { storage.withLock { $0.append(stream) } }
    var streams: [WireStreamChannel] { storage.withLock { $0 } }
}

@Suite("Scheduling fairness", .timeLimit(.minutes(1)))
struct SchedulingFairnessTests {
    @Test("two bulk streams sharing a slow link get equal shares, and a third one started later gets its share")
    func roundRobinShares() async throws {
        // 40 Mbit/s with a small queue, so the tunnel, not the streams, is the bottleneck.
        let link = LinkProfile(bitsPerSecond: 40_000_000, queueLimit: 256 * 1024)
        // Every stream gets the same fixed 1 MiB window (what auto-tuning
        // settles on here when the machine is idle). Streams that are limited
        // by their window share a bottleneck beyond the sender in proportion
        // to their windows, and on a starved machine auto-tuning can leave a
        // late stream with a larger or smaller window than its siblings: that
        // measured the tuner's luck, not the scheduler. Window growth has its
        // own test (LongLinkTests).
        var configuration = SessionConfiguration()
        configuration.initialStreamWindow = 1024 * 1024
        configuration.maxStreamWindow = 1024 * 1024
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let box = EmulatorBox()
        let counters = [TimedCounter(), TimedCounter(), TimedCounter()]
        let pair = try await SessionPair(configuration: configuration, listenerStreams: { stream in
            let index = Int(stream.metadata.forward.dropFirst("bulk-".count)) ?? 0
            return stream.eventLoop.makeCompletedFuture { try stream.pipeline.syncOperations.addHandler(counters[index]) }
        }) { target in
            let emulator = try await LinkEmulator(group: group, target: target, upstream: link, downstream: link)
            box.emulator = emulator
            return emulator.address
        }
        func flood(_ index: Int) async throws {
            _ = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "bulk-\(index)")) { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(FloodHandler(chunk: 65_536, limit: Int.max)) }
            }.get()
        }
        // Windows are measured from each stream's first byte, as stamped on the
        // event loop, so a slow test runner starting a stream late skews nothing.
        func window(after counter: TimedCounter, from: Duration, to: Duration) async throws -> (ContinuousClock.Instant, ContinuousClock.Instant) {
            #expect(try await eventually(timeout: .seconds(20)) { counter.firstArrival != nil })
            let first = try #require(counter.firstArrival)
            try await Task.sleep(until: first + to + .milliseconds(100))
            return (first + from, first + to)
        }

        try await flood(0)
        try await flood(1)
        let (twoFrom, twoTo) = try await window(after: counters[1], from: .seconds(1), to: .seconds(2))
        try await flood(2)
        // The late stream's first bytes queue behind the others' in flight; a
        // second later the shares have settled.
        let (threeFrom, threeTo) = try await window(after: counters[2], from: .seconds(1), to: .seconds(2))

        let before = counters.prefix(2).map { $0.bytes(from: twoFrom, to: twoTo) }
        let after = counters.map { $0.bytes(from: threeFrom, to: threeTo) }
        let shareBefore = Double(before[0]) / Double(max(1, before[0] + before[1]))
        #expect(before.allSatisfy { $0 > 0 })
        #expect((0.4...0.6).contains(shareBefore), "two streams: \(before)")
        let total = Double(after.reduce(0, +))
        #expect(after.allSatisfy { (0.25...0.42).contains(Double($0) / max(1, total)) }, "three streams: \(after)")
        try await pair.dialer.channel.close()
        try await box.emulator?.close()
        try await pair.shutdown()
        try await group.shutdownGracefully()
    }
}
