import NIOCore
import NIOEmbedded
@testable import Wire

/// A `StreamMultiplexer` on an `EmbeddedEventLoop`, with the session handler
/// replaced by a sink that records every frame: tests drive peer frames in
/// with `receive` and read what went out from `sent`, with no socket.
///
/// Everything runs on the embedded loop, on the test's own thread.
final class MultiplexerHarness {
    let loop = EmbeddedEventLoop()
    let parent: EmbeddedChannel
    let sink = RecordingFrameSink()
    let multiplexer: StreamMultiplexer
    /// Recorders of the streams the peer opened, by id.
    let accepted = AcceptedStreams()

    /// - Parameters:
    ///   - peerStreamWindow: the stream window the peer grants (its HELLO).
    ///   - ourStreamWindow: the stream window we grant the peer.
    ///   - setUp: what the inbound streams' initializer does after adding
    ///     the recorder (defaults to allowing remote half-closure).
    init(
        role: SessionRole = .listener,
        peerStreamWindow: Int = 65_536,
        ourStreamWindow: Int = 65_536,
        setUp: @escaping @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = { $0.allowHalfClosure() }
    ) throws {
        parent = EmbeddedChannel(loop: loop)
        var ours = SessionConfiguration()
        ours.initialStreamWindow = ourStreamWindow
        ours.compression = false
        var theirs = SessionConfiguration()
        theirs.initialStreamWindow = peerStreamWindow
        let accepted = accepted
        multiplexer = StreamMultiplexer(
            role: role, configuration: ours, sink: sink, parent: parent,
            inboundInitializer: { stream in
                let recorder = StreamRecorder()
                accepted.streams[stream.streamID] = recorder
                return stream.eventLoop.makeCompletedFuture {
                    try stream.pipeline.syncOperations.addHandler(recorder)
                }.flatMap { setUp(stream) }
            })
        multiplexer.configure(peer: try PeerSettings(peer: theirs.hello, local: ours.hello))
    }

    /// Hands a frame from the peer to the multiplexer, then does what the
    /// session handler does at the end of a read: lets the scheduler send.
    func receive(_ frame: Frame) throws {
        try multiplexer.handle(frame)
        multiplexer.sendPending()
        loop.run()
    }

    /// Opens a stream of ours with a recorder in its pipeline; it sees the
    /// peer's FIN as `inputClosed`.
    func open(_ forward: String = "web") throws -> (WireStreamChannel, StreamRecorder) {
        let recorder = StreamRecorder()
        let future = multiplexer.openStream(
            metadata: StreamMetadata(forward: forward), initialData: nil, compression: false
        ) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandler(recorder)
            }.flatMap { channel.allowHalfClosure() }
        }
        loop.run()
        return (try value(of: future), recorder)
    }

    /// The value of a future, once the embedded loop ran what is due; never
    /// blocks (`wait()` on an embedded loop would, forever).
    func value<Value: Sendable>(of future: EventLoopFuture<Value>) throws -> Value {
        loop.run()
        let box = Outcome<Value>()
        future.whenComplete { box.result = $0 }
        guard let result = box.result else { throw NotCompleted() }
        return try result.get()
    }

    /// Where `whenComplete` leaves a result (it runs at once on this thread).
    private final class Outcome<Value>: @unchecked Sendable {
        var result: Result<Value, Error>?
    }

    struct NotCompleted: Error, CustomStringConvertible {
        var description: String { "the future has not completed" }
    }

    /// The frames sent since the last call, connection WINDOW_UPDATEs left out
    /// unless asked for.
    func takeSent(includingConnectionCredit: Bool = false) -> [Frame] {
        defer { sink.frames.removeAll() }
        return sink.frames.filter { frame in
            if case .windowUpdate(let id, _) = frame, id.isConnection { return includingConnectionCredit }
            return true
        }
    }

    func bytes(_ string: String) -> ByteBuffer { ByteBuffer(string: string) }

    deinit {
        multiplexer.closeAll(error: WireSessionError.sessionClosed)
        loop.run()
        _ = try? parent.finish()
    }
}

/// The session handler's place, recording frames instead of writing them.
final class RecordingFrameSink: FrameSink {
    var frames: [Frame] = []
    var connectionWritable = true
    var smoothedRTT: TimeAmount? { nil }
    private(set) var streamCountChanges = 0

    func write(_ frame: Frame, promise: EventLoopPromise<Void>?) {
        frames.append(frame)
        promise?.succeed()
    }

    func flushSoon() {}
    func requestRTTSample() {}
    func streamCountChanged() { streamCountChanges += 1 }
}

/// The recorders of inbound streams (filled by the initializer, which must
/// be `@Sendable`; it runs on the embedded loop, the test's own thread).
final class AcceptedStreams: @unchecked Sendable {
    var streams: [StreamID: StreamRecorder] = [:]
}

/// What a stream's pipeline saw: the bytes read, end of input, errors,
/// and whether it went inactive.
final class StreamRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer

    private(set) var received = ByteBuffer()
    private(set) var inputClosed = false
    private(set) var errors: [Error] = []
    private(set) var inactive = false

    var text: String { String(buffer: received) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.writeBuffer(&bytes)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event { inputClosed = true }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        errors.append(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        inactive = true
    }
}
