import NIOCore
import NIOPosix
import Testing
@testable import Wire
#if canImport(Glibc)
import Glibc
#endif

/// How a broken transfer reaches the program at the far end of a splice:
/// a stream that is reset (the home killed, the session gone, a drain timed
/// out) must not look like a transfer that ended cleanly ([STREAM-9]).
@Suite("Splice: an abrupt end is passed on as a reset", .timeLimit(.minutes(1)))
struct SpliceResetTests {
    /// How the target's connection ended, and how much it had read by then.
    enum Ending: Equatable {
        case endOfInput(bytes: Int)
        case reset(bytes: Int)
    }

    /// The target: reads everything and reports how its input ended.
    final class EndingRecorder: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        // Touched only on the channel's event loop.
        private var bytes = 0
        let ended: EventLoopPromise<Ending>
        let reading: EventLoopPromise<Void>

        init(eventLoop: EventLoop) {
            ended = eventLoop.makePromise()
            reading = eventLoop.makePromise()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            bytes += unwrapInboundIn(data).readableBytes
            reading.succeed()
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case ChannelEvent.inputClosed = event { ended.succeed(.endOfInput(bytes: bytes)) }
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            if let error = error as? IOError, error.errnoCode == ECONNRESET { ended.succeed(.reset(bytes: bytes)) }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            ended.fail(ChannelError.eof)
        }
    }

    /// A session pair whose listener splices each stream to a fresh
    /// connection to a recording target.
    final class Harness: @unchecked Sendable {
        let pair: SessionPair
        let target: Channel
        /// The target's recorders, one per connection, in arrival order.
        private var recorders: AsyncStream<EndingRecorder>.Iterator

        init() async throws {
            let (recorders, arrived) = AsyncStream.makeStream(of: EndingRecorder.self)
            self.recorders = recorders.makeAsyncIterator()
            target = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .childChannelOption(.allowRemoteHalfClosure, value: true)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let recorder = EndingRecorder(eventLoop: channel.eventLoop)
                        try channel.pipeline.syncOperations.addHandler(recorder)
                        arrived.yield(recorder)
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            let address = try #require(target.localAddress)
            pair = try await SessionPair(listenerStreams: { stream in
                let (streamEnd, socketEnd) = SpliceHandler.pair(stream.eventLoop, stream.eventLoop)
                return ClientBootstrap(group: stream.eventLoop)
                    .channelOption(.autoRead, value: false)
                    .connect(to: address)
                    .flatMapThrowing { socket in
                        try socket.pipeline.syncOperations.addHandler(socketEnd.take())
                        try stream.pipeline.syncOperations.addHandler(streamEnd.take())
                    }
            })
        }

        /// Opens a stream, sends `bytes` and waits until the target reads;
        /// returns the stream and the target's recorder for it.
        func sending(_ bytes: Int) async throws -> (WireStreamChannel, EndingRecorder) {
            let collector = try await openCollecting(pair.dialer, forward: "target")
            collector.channel.writeAndFlush(randomBytes(bytes, seed: 5), promise: nil)
            let recorder = try #require(await recorders.next())
            try await recorder.reading.futureResult.get()
            return (collector.channel, recorder)
        }

        func shutdown() async throws {
            try await pair.shutdown()
            try await target.close()
        }
    }

    @Test("a stream closed cleanly gives the target the end of a complete transfer; a stream reset gives it a TCP reset")
    func resetStreamResetsItsSocket() async throws {
        let harness = try await Harness()
        let size = 64 * 1024

        let (clean, cleanEnding) = try await harness.sending(size)
        try await clean.close(mode: .output)
        #expect(try await cleanEnding.ended.futureResult.get() == .endOfInput(bytes: size))

        // The peer of the listener's stream still sends (nothing came back
        // from the target), so abandoning it resets it ([STREAM-7]): for the
        // listener that is an abrupt end, passed on to the target socket.
        let (broken, brokenEnding) = try await harness.sending(size)
        try await broken.triggerUserOutboundEvent(WireStreamAbandon()).get()
        let ending = try await brokenEnding.ended.futureResult.get()
        guard case .reset = ending else {
            Issue.record("the target saw \(ending) after its stream was reset, not a reset")
            return try await harness.shutdown()
        }
        try await harness.shutdown()
    }

    @Test("the session ends with a transfer in flight: the target connection is reset, not closed as if complete")
    func sessionEndResetsSockets() async throws {
        let harness = try await Harness()
        let (_, recorder) = try await harness.sending(1 << 20)
        try await harness.pair.dialer.channel.close()
        let ending = try await recorder.ended.futureResult.get()
        guard case .reset = ending else {
            Issue.record("the target saw \(ending) when the session ended, not a reset")
            return try await harness.shutdown()
        }
        try await harness.shutdown()
    }
}
