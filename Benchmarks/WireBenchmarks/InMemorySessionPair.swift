import NIOCore
import NIOEmbedded
import Wire

/// A dialer and a listener session joined back to back in memory: each sits
/// on an `EmbeddedChannel`, both on one `EmbeddedEventLoop`, and `pump()`
/// moves every outbound buffer of one channel into the other as inbound,
/// ending each batch with `channelReadComplete` as a socket read loop would.
///
/// Nothing runs on other threads: the loop executes scheduled work only when
/// `run()` is called, so the whole pair lives on the calling thread.
final class InMemorySessionPair {
    let loop: EmbeddedEventLoop
    let dialerChannel: EmbeddedChannel
    let listenerChannel: EmbeddedChannel
    let dialer: WireSession
    let listener: WireSession
    /// Payload bytes delivered to the listener's streams.
    let received: ByteCounter
    /// Buffers moved across the pair (both directions), for diagnostics.
    private(set) var buffersMoved = 0

    init(configuration: SessionConfiguration = SessionConfiguration()) throws {
        let loop = EmbeddedEventLoop()
        let received = ByteCounter()
        self.loop = loop
        self.received = received
        dialerChannel = EmbeddedChannel(loop: loop)
        listenerChannel = EmbeddedChannel(loop: loop)
        dialer = try dialerChannel.pipeline.syncOperations.addWireSession(role: .dialer, configuration: configuration) { stream in
            stream.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        listener = try listenerChannel.pipeline.syncOperations.addWireSession(role: .listener, configuration: configuration) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(CountingSink(counter: received))
            }
        }
        // EmbeddedChannels start inactive; connecting activates them, which
        // makes each session send its HELLO.
        let address = try SocketAddress(ipAddress: "127.0.0.1", port: 8444)
        dialerChannel.connect(to: address, promise: nil)
        listenerChannel.connect(to: address, promise: nil)
        try pump()
    }

    /// Moves bytes both ways until neither side has anything left to send.
    func pump() throws {
        var moved = true
        while moved {
            loop.run()
            moved = try transfer(from: dialerChannel, to: listenerChannel)
            moved = try transfer(from: listenerChannel, to: dialerChannel) || moved
        }
    }

    private func transfer(from source: EmbeddedChannel, to destination: EmbeddedChannel) throws -> Bool {
        var any = false
        while let bytes = try source.readOutbound(as: ByteBuffer.self) {
            try destination.writeInbound(bytes)
            buffersMoved += 1
            any = true
        }
        if any { destination.pipeline.fireChannelReadComplete() }
        return any
    }

    func finish() {
        _ = try? dialerChannel.finish(acceptAlreadyClosed: true)
        _ = try? listenerChannel.finish(acceptAlreadyClosed: true)
        loop.run()
    }
}

/// A byte count shared between the listener's stream handlers and the benchmark.
///
/// `@unchecked Sendable` because the inbound-stream initializer must be
/// `@Sendable`; every access happens on the thread that owns the pair's
/// `EmbeddedEventLoop` (the benchmark's thread), so there is no concurrent use.
final class ByteCounter: @unchecked Sendable {
    var bytes = 0
    var streamsFinished = 0
}

/// Listener-side stream handler: counts and drops what arrives.
final class CountingSink: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let counter: ByteCounter

    init(counter: ByteCounter) { self.counter = counter }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        counter.bytes += unwrapInboundIn(data).readableBytes
    }

    func channelInactive(context: ChannelHandlerContext) {
        counter.streamsFinished += 1
        context.fireChannelInactive()
    }
}

/// Dialer-side stream handler: writes `total` bytes in slices of `chunk`
/// while the stream is writable, then half-closes.
final class BulkWriter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let chunk: ByteBuffer
    private var remaining: Int
    private var closed = false

    init(chunk: ByteBuffer, total: Int) {
        self.chunk = chunk
        self.remaining = total
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        write(context)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        context.fireChannelWritabilityChanged()
        write(context)
    }

    private func write(_ context: ChannelHandlerContext) {
        var wrote = false
        while remaining > 0, context.channel.isWritable {
            let length = min(remaining, chunk.readableBytes)
            context.write(wrapOutboundOut(chunk.getSlice(at: chunk.readerIndex, length: length)!), promise: nil)
            remaining -= length
            wrote = true
        }
        if wrote { context.flush() }
        if remaining == 0, !closed {
            closed = true
            context.close(mode: .output, promise: nil)
        }
    }
}
