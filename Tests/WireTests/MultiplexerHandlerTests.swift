import NIOCore
import Testing
@testable import Wire

/// The multiplexer between pure units and real sockets: peer frames go in,
/// frames out and channel events are checked, all on an `EmbeddedEventLoop`.
@Suite("Multiplexer through its frame sink", .timeLimit(.minutes(1)))
struct MultiplexerHandlerTests {
    /// The peer's first stream (we are the listener), and ours.
    private let one = StreamID(1)
    private let two = StreamID(2)

    @Test("OPEN → DATA → FIN from the peer, DATA → FIN back: both ends arrive and the stream is released")
    func openDataFINBothWays() throws {
        let harness = try MultiplexerHarness()
        try harness.receive(.open(one, StreamMetadata(forward: "web"), initialData: harness.bytes("hello ")))
        try harness.receive(.data(one, .plain(harness.bytes("world"))))
        try harness.receive(.fin(one))
        let recorder = try #require(harness.accepted.streams[one])
        #expect(recorder.text == "hello world")
        #expect(recorder.inputClosed)
        let stream = try #require(harness.multiplexer.streams[one])
        #expect(stream.machine.wireState == .halfClosedRemote)

        stream.writeAndFlush(harness.bytes("reply"), promise: nil)
        let closed = stream.close(mode: .output)
        harness.loop.run()
        #expect(harness.takeSent() == [.data(one, .plain(harness.bytes("reply"))), .fin(one)])
        try harness.value(of: closed)
        #expect(recorder.inactive)
        #expect(harness.multiplexer.streams.isEmpty)
        #expect(harness.multiplexer.bufferedBytes == 0)
    }

    @Test("our FIN first, the peer's after: the stream closes once both are through")
    func ourFINFirst() throws {
        let harness = try MultiplexerHarness()
        let (stream, recorder) = try harness.open()
        #expect(harness.takeSent() == [.open(two, StreamMetadata(forward: "web"), initialData: ByteBuffer())])
        try harness.value(of: stream.close(mode: .output))
        #expect(harness.takeSent() == [.fin(two)])
        #expect(stream.isActive && !recorder.inactive)
        try harness.receive(.data(two, .plain(harness.bytes("late"))))
        try harness.receive(.fin(two))
        #expect(recorder.text == "late" && recorder.inputClosed && recorder.inactive)
        #expect(harness.multiplexer.streams.isEmpty)
    }

    @Test("RST mid-stream: queued writes fail, the pipeline hears why, later DATA is stale")
    func resetMidStream() throws {
        let harness = try MultiplexerHarness(peerStreamWindow: 4)
        let (stream, recorder) = try harness.open()
        _ = harness.takeSent()
        let write = stream.writeAndFlush(harness.bytes("0123456789"))
        harness.loop.run()
        #expect(harness.takeSent() == [.data(two, .plain(harness.bytes("0123")))])
        try harness.receive(.rst(two, .cancel))
        #expect(throws: WireSessionError.streamReset(.cancel)) { try harness.value(of: write) }
        #expect(recorder.errors.contains { ($0 as? WireSessionError) == .streamReset(.cancel) })
        #expect(recorder.inactive)
        #expect(harness.multiplexer.streams.isEmpty)
        // [STREAM-6] In flight when the RST crossed: ignored, no reply.
        try harness.receive(.data(two, .plain(harness.bytes("stale"))))
        #expect(harness.takeSent().isEmpty)
        #expect(harness.multiplexer.bufferedBytes == 0)
    }

    @Test("window exhaustion: DATA stops at the peer's credit, WINDOW_UPDATE resumes it and writability follows")
    func windowExhaustionAndUpdate() throws {
        let harness = try MultiplexerHarness(peerStreamWindow: 1_000)
        let (stream, _) = try harness.open()
        _ = harness.takeSent()
        let payload = ByteBuffer(repeating: 7, count: 2_500)
        stream.writeAndFlush(payload, promise: nil)
        harness.loop.run()
        #expect(harness.takeSent() == [.data(two, .plain(payload.getSlice(at: 0, length: 1_000)!))])
        #expect(!stream.isWritable, "1,500 bytes queued with no credit")
        try harness.receive(.windowUpdate(two, increment: 1_000))
        #expect(harness.takeSent() == [.data(two, .plain(payload.getSlice(at: 1_000, length: 1_000)!))])
        try harness.receive(.windowUpdate(two, increment: 1_000))
        #expect(harness.takeSent() == [.data(two, .plain(payload.getSlice(at: 2_000, length: 500)!))])
        #expect(stream.isWritable)
    }

    @Test("[FLOW-1] the peer sending past our stream window is a connection error")
    func peerOverrunsWindow() throws {
        let harness = try MultiplexerHarness(ourStreamWindow: 16)
        try harness.receive(.open(one, StreamMetadata(forward: "web"), initialData: ByteBuffer()))
        #expect(throws: WireProtocolError.self) {
            try harness.receive(.data(one, .plain(ByteBuffer(repeating: 1, count: 17))))
        }
    }

    @Test("a stream whose pipeline setup fails is reset, and its early DATA is dropped, not buffered")
    func setupFailure() throws {
        let pending = Pending()
        let harness = try MultiplexerHarness { stream in
            let promise = stream.eventLoop.makePromise(of: Void.self)
            pending.promise = promise
            return promise.futureResult
        }
        try harness.receive(.open(one, StreamMetadata(forward: "web"), initialData: harness.bytes("early")))
        try harness.receive(.data(one, .plain(harness.bytes("more"))))
        #expect(harness.multiplexer.bufferedBytes == 9, "waiting for the pipeline, within the stream window")
        let recorder = try #require(harness.accepted.streams[one])

        pending.promise?.fail(WireStreamRefusal(.unknownForward))
        harness.loop.run()
        #expect(harness.takeSent() == [.rst(one, .unknownForward)])
        #expect(harness.multiplexer.streams.isEmpty)
        #expect(harness.multiplexer.bufferedBytes == 0, "the early bytes went with the stream")
        #expect(recorder.text.isEmpty && !recorder.inactive, "the pipeline never became active")

        try harness.receive(.data(one, .plain(harness.bytes("after"))))
        #expect(harness.multiplexer.bufferedBytes == 0)
        #expect(harness.takeSent().isEmpty)
    }

    @Test("[STREAM-7] writeAndFlush(x); close() delivers x, then FIN, even when x waits for credit")
    func closeDeliversQueuedData() throws {
        let harness = try MultiplexerHarness(peerStreamWindow: 4)
        let (stream, recorder) = try harness.open()
        _ = harness.takeSent()
        let write = stream.writeAndFlush(harness.bytes("0123456789"))
        let closed = stream.close()
        harness.loop.run()
        #expect(harness.takeSent() == [.data(two, .plain(harness.bytes("0123")))])
        #expect(!stream.isWritable)
        try harness.receive(.windowUpdate(two, increment: 6))
        #expect(harness.takeSent() == [.data(two, .plain(harness.bytes("456789"))), .fin(two)])
        try harness.value(of: write)
        try harness.value(of: closed)
        #expect(recorder.inactive)
        // Orphaned until the peer's direction ends too.
        #expect(harness.multiplexer.streams[two] != nil)
        try harness.receive(.fin(two))
        #expect(harness.multiplexer.streams.isEmpty)
    }

    @Test("[STREAM-7] DATA after close(), which nobody will read, is answered with RST CANCEL")
    func dataAfterCloseIsReset() throws {
        let harness = try MultiplexerHarness()
        let (stream, _) = try harness.open()
        _ = harness.takeSent()
        try harness.value(of: stream.close())
        #expect(harness.takeSent() == [.fin(two)])
        try harness.receive(.data(two, .plain(harness.bytes("nobody reads this"))))
        #expect(harness.takeSent() == [.rst(two, .cancel)])
        #expect(harness.multiplexer.streams.isEmpty)
        #expect(harness.multiplexer.bufferedBytes == 0)
    }

    @Test("WireStreamAbandon while the peer still sends: RST CANCEL at once, queued data dropped, writes failed")
    func abortiveReset() throws {
        let harness = try MultiplexerHarness(peerStreamWindow: 0)
        let (stream, recorder) = try harness.open()
        _ = harness.takeSent()
        let write = stream.writeAndFlush(harness.bytes("never sent"))
        try harness.value(of: stream.triggerUserOutboundEvent(WireStreamAbandon()))
        #expect(harness.takeSent() == [.rst(two, .cancel)])
        #expect(throws: WireSessionError.streamReset(.cancel)) { try harness.value(of: write) }
        #expect(recorder.inactive)
        #expect(harness.multiplexer.streams.isEmpty)
    }

    @Test("WireStreamAbandon after the peer's FIN closes gracefully: queued data, then FIN")
    func abandonAfterPeerFIN() throws {
        let harness = try MultiplexerHarness()
        try harness.receive(.open(one, StreamMetadata(forward: "web"), initialData: ByteBuffer()))
        try harness.receive(.fin(one))
        let stream = try #require(harness.multiplexer.streams[one])
        stream.writeAndFlush(harness.bytes("last words"), promise: nil)
        try harness.value(of: stream.triggerUserOutboundEvent(WireStreamAbandon()))
        #expect(harness.takeSent() == [.data(one, .plain(harness.bytes("last words"))), .fin(one)])
        #expect(harness.multiplexer.streams.isEmpty)
    }

    @Test("close() with unread input while the peer may still send resets with CANCEL, as a TCP close does")
    func closeWithUnreadInput() throws {
        let harness = try MultiplexerHarness { stream in
            stream.allowHalfClosure().flatMap { stream.setOption(ChannelOptions.autoRead, value: false) }
        }
        try harness.receive(.open(one, StreamMetadata(forward: "web"), initialData: harness.bytes("unread")))
        let stream = try #require(harness.multiplexer.streams[one])
        #expect(harness.multiplexer.bufferedBytes == 6)
        try harness.value(of: stream.close())
        #expect(harness.takeSent() == [.rst(one, .cancel)])
        #expect(harness.multiplexer.bufferedBytes == 0)
        #expect(harness.multiplexer.streams.isEmpty)
    }

    @Test("[STREAM-8] DATA after the peer's FIN resets the stream with STREAM_CLOSED")
    func dataAfterFIN() throws {
        let harness = try MultiplexerHarness()
        try harness.receive(.open(one, StreamMetadata(forward: "web"), initialData: ByteBuffer()))
        try harness.receive(.fin(one))
        try harness.receive(.data(one, .plain(harness.bytes("x"))))
        #expect(harness.takeSent() == [.rst(one, .streamClosed)])
        let recorder = try #require(harness.accepted.streams[one])
        #expect(recorder.errors.contains { ($0 as? WireSessionError) == .streamReset(.streamClosed) })
        #expect(harness.multiplexer.streams.isEmpty)
    }

    @Test("[STREAM-5] a frame for a stream never opened is a connection error")
    func frameForIdleStream() throws {
        let harness = try MultiplexerHarness()
        #expect(throws: WireProtocolError.self) { try harness.receive(.fin(StreamID(3))) }
    }

    @Test("the session's end fails queued writes and closes every stream without a frame")
    func sessionEnd() throws {
        let harness = try MultiplexerHarness(peerStreamWindow: 0)
        let (stream, recorder) = try harness.open()
        _ = harness.takeSent()
        let write = stream.writeAndFlush(harness.bytes("stuck"))
        harness.multiplexer.closeAll(error: WireSessionError.sessionClosed)
        harness.loop.run()
        #expect(throws: WireSessionError.sessionClosed) { try harness.value(of: write) }
        #expect(recorder.inactive)
        #expect(harness.takeSent().isEmpty)
        #expect(harness.multiplexer.streams.isEmpty)
    }
}

/// A promise the test completes later (set on the embedded loop's thread).
private final class Pending: @unchecked Sendable {
    var promise: EventLoopPromise<Void>?
}
