import TestSupport
import NIOCore
import NIOPosix
import Testing
@testable import Wire

@Suite("Session limits: memory budget, metadata, stray PONGs, drain deadline", .timeLimit(.minutes(1)))
struct SessionLimitsTests {
    @Test("stalled readers never make a session buffer more than its budget plus one connection window, which stays within half the budget")
    func memoryBudgetBoundsBuffering() async throws {
        var listenerConfig = SessionConfiguration()
        listenerConfig.memoryBudget = 1024 * 1024
        listenerConfig.initialStreamWindow = 256 * 1024
        listenerConfig.initialConnectionWindow = 256 * 1024
        let registry = StreamRegistry()
        let pair = try await SessionPair(
            listenerConfiguration: listenerConfig,
            listenerStreams: FlowControlTests.listenerStreams(registry: registry))
        // Sixteen stalled streams could fill 4 MiB of windows; the budget is 1 MiB.
        let count = 16
        var floods: [FloodHandler] = []
        for index in 0..<count {
            let flood = FloodHandler(chunk: 16_384, limit: 256 * 1024)
            floods.append(flood)
            _ = try await pair.dialer.openStream(metadata: StreamMetadata(forward: "stalled-\(index)")) { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(flood) }
            }.get()
        }
        #expect(try await eventually { try await pair.listener.bufferedBytes.get().withheldCredit > 0 })
        try await Task.sleep(for: .milliseconds(200))
        let held = try await pair.listener.bufferedBytes.get()
        #expect(held.buffered <= listenerConfig.memoryBudget + held.connectionWindow)
        #expect(held.connectionWindow <= listenerConfig.memoryBudget / 2)
        #expect(held.buffered < count * 256 * 1024, "the budget held nothing back")

        // Readers resume: the withheld credit flows back and every byte arrives.
        let counters = (0..<count).map { _ in CountHandler() }
        #expect(try await eventually { registry.streams.count == count })
        for (stream, counter) in zip(registry.streams, counters) {
            try await stream.eventLoop.submit {
                try stream.pipeline.syncOperations.addHandler(counter)
                stream.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in }
            }.get()
        }
        for (stream, counter) in zip(registry.streams, counters) {
            #expect(try await eventually { try await stream.eventLoop.submit { counter.received }.get() == 256 * 1024 })
        }
        let after = try await pair.listener.bufferedBytes.get()
        #expect(after.buffered == 0 && after.withheldCredit == 0)
        try await pair.shutdown()
    }

    @Test("over-long names are refused locally and the session lives on")
    func invalidMetadataIsRefusedLocally() async throws {
        let pair = try await SessionPair(listenerStreams: SessionLifecycleTests.echo)
        await #expect(throws: WireSessionError.invalidMetadata("forward name must be 1 to 255 bytes, got 300")) {
            try await pair.dialer.openStream(metadata: StreamMetadata(forward: String(repeating: "f", count: 300))) {
                $0.eventLoop.makeSucceededVoidFuture()
            }.get()
        }
        await #expect(throws: WireSessionError.self) {
            try await pair.dialer.openStream(metadata: StreamMetadata(forward: "ok", serverName: "")) {
                $0.eventLoop.makeSucceededVoidFuture()
            }.get()
        }
        let collector = try await openCollecting(pair.dialer, forward: "echo", initialData: ByteBuffer(string: "still here"))
        try await collector.channel.close(mode: .output)
        #expect(String(buffer: try await collector.handler.done.futureResult.get()) == "still here")
        try await pair.shutdown()
    }

    @Test("a PONG nobody asked for is ignored")
    func strayPongIsIgnored() async throws {
        let (peer, server, group) = try await RawPeer.againstListener()
        try await peer.send(RawPeer.hello)
        try await peer.send(.pong(1), .pong(UInt64.max), .ping(77))
        #expect(try await peer.waitFor { $0 == .pong(77) } != nil)
        #expect(try peer.received().allSatisfy { if case .goAway = $0 { false } else { true } })
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("compressed DATA is a protocol error when we did not offer LZ4")
    func unnegotiatedCompressionIsRejected() async throws {
        var config = SessionConfiguration()
        config.compression = false
        let (peer, server, group) = try await RawPeer.againstListener(configuration: config)
        try await peer.send(RawPeer.hello, .open(StreamID(1), StreamMetadata(forward: "x"), initialData: ByteBuffer()))
        let text = ByteBuffer(string: String(repeating: "abcd", count: 100))
        let block = try #require(LZ4.compress(text, allocator: ByteBufferAllocator()))
        try await peer.send(.data(StreamID(1), .lz4(decodedLength: 400, block: block)))
        let goAway = try await peer.waitFor { if case .goAway = $0 { true } else { false } }
        guard case .goAway(_, let code, _) = goAway else { Issue.record("no GOAWAY"); return }
        #expect(code == .protocolError)
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("a drain with a deadline closes the connection even if a stream never ends")
    func drainDeadline() async throws {
        let pair = try await SessionPair(listenerStreams: SessionLifecycleTests.echo)
        let collector = try await openCollecting(pair.dialer, forward: "echo")
        let closedAt = pair.dialer.channel.closeFuture.map { ContinuousClock.now }
        let start = ContinuousClock.now
        try await pair.dialer.goAway(timeout: .milliseconds(300)).get()
        let elapsed = try await closedAt.get() - start
        #expect(elapsed >= .milliseconds(250) && elapsed < .seconds(3), "closed after \(elapsed)")
        _ = try? await collector.handler.done.futureResult.get()
        try await pair.shutdown()
    }

    @Test("a stream whose data does not compress stops trying for a while, then tries again")
    func compressionBackoff() {
        var backoff = CompressionBackoff()
        var attempts: [Bool] = []
        for _ in 0..<CompressionBackoff.failuresBeforeBackoff {
            attempts.append(backoff.shouldTry())
            backoff.record(success: false)
        }
        for _ in 0..<CompressionBackoff.framesToSkip { attempts.append(backoff.shouldTry()) }
        let retried = backoff.shouldTry()
        backoff.record(success: true)
        let afterSuccess = backoff.shouldTry()
        #expect(attempts == Array(repeating: true, count: CompressionBackoff.failuresBeforeBackoff)
            + Array(repeating: false, count: CompressionBackoff.framesToSkip))
        #expect(retried && afterSuccess)
    }
}
