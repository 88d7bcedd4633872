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
}
