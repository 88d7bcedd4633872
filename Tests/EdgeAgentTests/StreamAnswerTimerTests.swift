import NIOCore
import NIOEmbedded
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

/// The timer on a stream the edge opened, driven event by event: the home's
/// first answer decides the outcome, is counted once, and the timer leaves.
@Suite struct StreamAnswerTimerTests {
    /// A stream whose OPEN went out 20 ms ago for a connection accepted 300 ms ago.
    static func stream(_ metrics: EdgeMetrics) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        let now = NIODeadline.now()
        try channel.pipeline.syncOperations.addHandler(StreamAnswerTimer(
            latency: metrics.homes.latency(for: "alpha"), opened: now - .milliseconds(20),
            accepted: now - .milliseconds(300)))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return channel
    }

    static func exposition(_ metrics: EdgeMetrics) throws -> PrometheusExposition {
        try PrometheusExposition(metrics.registry.emitToString())
    }

    static let accepted = ["home": "alpha", "outcome": "accepted"]
    static let refused = ["home": "alpha", "outcome": "refused"]

    @Test("the home's first data: accepted and first byte, timed once, and the timer leaves the pipeline")
    func firstDataIsAcceptedAndFirstByte() throws {
        let metrics = EdgeMetrics()
        let channel = try Self.stream(metrics)
        try channel.writeInbound(ByteBuffer(string: "hello"))
        try channel.writeInbound(ByteBuffer(string: "again"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "hello"))
        #expect(try channel.readInbound(as: ByteBuffer.self) == ByteBuffer(string: "again"))
        #expect(throws: (any Error).self) { try channel.pipeline.syncOperations.handler(type: StreamAnswerTimer.self) }

        let exposition = try Self.exposition(metrics)
        #expect(exposition.value("portico_stream_open_seconds_count", Self.accepted) == 1)
        #expect(exposition.value("portico_stream_open_seconds_count", Self.refused) == 0)
        let firstByte = exposition.buckets("portico_public_first_byte_seconds", ["home": "alpha"])
        // Counted from the accept 300 ms before: above 0.25 s, within 0.5 s
        // unless the machine stalled for 200 ms.
        #expect(firstByte.first { $0.bound == 0.25 }?.count == 0)
        #expect(firstByte.last?.count == 1)
        #expect(try channel.finish().isClean)
    }

    @Test("a reset by the home before any data is a refusal, with no first byte")
    func resetIsRefusal() throws {
        let metrics = EdgeMetrics()
        let channel = try Self.stream(metrics)
        channel.pipeline.fireErrorCaught(WireSessionError.streamReset(.connectFailed))
        #expect(throws: WireSessionError.self) { try channel.throwIfErrorCaught() }

        let exposition = try Self.exposition(metrics)
        #expect(exposition.value("portico_stream_open_seconds_count", Self.refused) == 1)
        #expect(exposition.value("portico_stream_open_seconds_count", Self.accepted) == 0)
        #expect(exposition.value("portico_public_first_byte_seconds_count", ["home": "alpha"]) == 0)
        _ = try channel.finish()
    }

    @Test("an end of input before any data is an accepted stream with no first byte; later events count nothing")
    func endOfInputIsAccepted() throws {
        let metrics = EdgeMetrics()
        let channel = try Self.stream(metrics)
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        channel.pipeline.fireErrorCaught(WireSessionError.streamReset(.cancel))
        #expect(throws: WireSessionError.self) { try channel.throwIfErrorCaught() }

        let exposition = try Self.exposition(metrics)
        #expect(exposition.value("portico_stream_open_seconds_count", Self.accepted) == 1)
        #expect(exposition.value("portico_stream_open_seconds_count", Self.refused) == 0)
        #expect(exposition.value("portico_public_first_byte_seconds_count", ["home": "alpha"]) == 0)
        _ = try channel.finish()
    }
}
