import NIOCore
import NIOPosix
import Testing
@testable import Wire

@Suite("Splicing streams and sockets", .timeLimit(.minutes(1)))
struct SpliceTests {
    @Test("an empty write on a stream completes after the writes before it, so end-of-output waits for them")
    func emptyWriteCompletesInOrder() async throws {
        let pair = try await SessionPair(listenerStreams: { stream in
            stream.allowHalfClosure().flatMapThrowing { try stream.pipeline.syncOperations.addHandler(EchoHandler()) }
        })
        let collector = try await openCollecting(pair.dialer, forward: "echo")
        // More than the initial 256 KiB window: the empty write must wait
        // for credit like the bytes ahead of it, then still complete.
        let payload = randomBytes(1 << 20, seed: 7)
        collector.channel.write(payload, promise: nil)
        try await collector.channel.writeAndFlush(ByteBuffer()).get()
        try await collector.channel.close(mode: .output)
        #expect(try await collector.handler.done.futureResult.get() == payload)
        // With nothing queued it completes at once.
        let idle = try await openCollecting(pair.dialer, forward: "echo")
        try await idle.channel.writeAndFlush(ByteBuffer()).get()
        try await idle.channel.close(mode: .output)
        #expect(try await idle.handler.done.futureResult.get().readableBytes == 0)
        try await pair.shutdown()
    }

    @Test("a stream spliced to a TCP socket carries data both ways and relays each half-close after the data")
    func streamToSocket() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // The "target": an echo server on loopback.
        let echo = try await ServerBootstrap(group: group)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(EchoHandler()) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let echoAddress = echo.localAddress!
        let pair = try await SessionPair(listenerStreams: { stream in
            let (streamEnd, socketEnd) = SpliceHandler.pair(stream.eventLoop, stream.eventLoop)
            return ClientBootstrap(group: stream.eventLoop)
                .channelOption(.autoRead, value: false)
                .connect(to: echoAddress)
                .flatMapThrowing { socket in
                    try socket.pipeline.syncOperations.addHandler(socketEnd.take())
                    try stream.pipeline.syncOperations.addHandler(streamEnd.take())
                }
        })
        for size in [0, 1, 300_000, 3 << 20] {
            let collector = try await openCollecting(pair.dialer, forward: "echo")
            let payload = randomBytes(size, seed: UInt64(size))
            try await collector.channel.writeAndFlush(payload)
            try await collector.channel.close(mode: .output)
            #expect(try await collector.handler.done.futureResult.get() == payload, "size \(size)")
        }
        try await pair.shutdown()
        try await echo.close()
    }

    @Test("a stream spliced to a socket whose reader stalls holds no more than the stream's window: credit goes back only once the socket took the bytes")
    func stalledReaderHoldsAtMostTheWindow() async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        // A reader that never reads, with small buffers so the kernel holds little.
        let stalled = try await ServerBootstrap(group: group)
            .childChannelOption(.autoRead, value: false)
            .childChannelOption(.socketOption(.so_rcvbuf), value: 4096)
            .bind(host: "127.0.0.1", port: 0).get()
        let stalledAddress = try #require(stalled.localAddress)
        let spliced = group.next().makePromise(of: (WireStreamChannel, Channel).self)
        let pair = try await SessionPair(listenerStreams: { stream in
            let (streamEnd, socketEnd) = SpliceHandler.pair(stream.eventLoop, stream.eventLoop)
            return ClientBootstrap(group: stream.eventLoop)
                .channelOption(.autoRead, value: false)
                .channelOption(.socketOption(.so_sndbuf), value: 4096)
                .connect(to: stalledAddress)
                .flatMapThrowing { socket in
                    try socket.pipeline.syncOperations.addHandler(socketEnd.take())
                    try stream.pipeline.syncOperations.addHandler(streamEnd.take())
                    spliced.succeed((stream, socket))
                }
        })
        let sender = try await openCollecting(pair.dialer, forward: "stalled")
        sender.channel.writeAndFlush(randomBytes(4 << 20, seed: 11), promise: nil)
        let (stream, socket) = try await spliced.futureResult.get()

        /// What the listener holds for the stream: unread in the stream,
        /// and waiting in the socket's outbound buffer.
        @Sendable func held() throws -> (bytes: Int, window: Int) {
            let waiting = try socket.syncOptions?.getOption(.bufferedWritableBytes) ?? 0
            return (stream.inboundBytes + waiting, stream.receiveWindow.size)
        }
        // Wait until the transfer stops moving (the reader never reads): no
        // change over 20 samples 50 ms apart, or 400 samples in all.
        var last = (bytes: -1, window: 0)
        var unchanged = 0
        for _ in 0..<400 where unchanged < 20 {
            try await Task.sleep(for: .milliseconds(50))
            let now = try await stream.eventLoop.submit(held).get()
            unchanged = now == last ? unchanged + 1 : 0
            last = now
        }
        #expect(unchanged >= 20, "the transfer never settled")
        #expect(last.bytes > 0, "nothing reached the stalled side")
        #expect(last.bytes <= last.window, "\(last.bytes) bytes held for a stream with a \(last.window)-byte window")
        try await pair.shutdown()
        try await stalled.close()
    }
}
