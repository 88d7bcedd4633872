// TLS for one NIO channel: ciphertext below, plaintext above.
//
// States: idle → handshaking → active → closing (our close_notify is on its
// way, or we closed before the handshake finished) → closed. Invariants the code keeps:
// - plaintext written before the handshake completes waits in `pendingWrites`
//   and is encrypted, in order, right after `TLSEvent.handshakeCompleted`;
// - plaintext writes are held until flush, then encrypted into full-size
//   records (see encryptPendingWrites); their promises complete when the
//   ciphertext carrying them reaches the socket;
// - every failure fires exactly one TLSError and closes the channel, after
//   sending whatever alert OpenSSL queued;
// - EOF without close_notify is reported as `.truncated`, never as a clean end.

import NIOCore

/// A channel handler that runs TLS 1.3 (OpenSSL) between the socket and the application.
public final class TLSHandler: ChannelDuplexHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    enum State { case idle, handshaking, active, closing, closed }

    let tlsContext: TLSContext
    var engine: TLSEngine?
    var state = State.idle
    var pendingWrites: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    var flushRequested = false
    var receivedCloseNotify = false
    var timer: Scheduled<Void>?
    /// Whether plaintext was delivered in the current read burst (to keep reads going if not).
    var deliveredSinceReadComplete = false

    /// Plaintext is decrypted in chunks of at least this size (one full TLS record and then some).
    static let minimumReadChunk = 16 * 1024 + 256
    /// The most plaintext one TLS record carries (RFC 8446, 5.1).
    static let maximumRecordPlaintext = 16 * 1024

    /// A handler for one connection; `context` is shared by all connections of one configuration.
    public init(context: TLSContext) {
        self.tlsContext = context
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        do {
            engine = try TLSEngine(context: tlsContext)
        } catch {
            state = .closed
            context.fireErrorCaught(error)
            context.close(promise: nil)
            return
        }
        if context.channel.isActive { startHandshake(context: context) }
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        failPendingWrites(ChannelError.ioOnClosedChannel)
    }

    public func channelActive(context: ChannelHandlerContext) {
        startHandshake(context: context)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        switch state {
        case .handshaking:
            context.fireErrorCaught(TLSError(.handshakeFailed, "the connection closed during the handshake"))
        case .active where !receivedCloseNotify:
            context.fireErrorCaught(TLSError(.truncated, "the connection closed without close_notify"))
        default:
            break
        }
        state = .closed
        failPendingWrites(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    public func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? ChannelEvent, event == .inputClosed, !receivedCloseNotify,
           state == .handshaking || state == .active {
            fail(context: context, TLSError(.truncated, "the peer half-closed without close_notify"))
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func startHandshake(context: ChannelHandlerContext) {
        guard state == .idle, engine != nil else { return }
        state = .handshaking
        let timeout = tlsContext.configuration.handshakeTimeout
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: timeout) {
            let (handler, context) = loopBound.value
            guard handler.state == .handshaking else { return }
            handler.fail(context: context, TLSError(.handshakeTimeout, "no TLS handshake within \(timeout)"))
        }
        if tlsContext.configuration.role == .client { advanceHandshake(context: context) }
        context.read()
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let engine, state != .closed else { return }
        engine.feed(unwrapInboundIn(data))
        switch state {
        case .handshaking: advanceHandshake(context: context)
        case .active, .closing: deliverPlaintext(context: context)
        case .idle, .closed: break
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // Without plaintext to show for it (handshake, partial record), ask for more ourselves,
        // so a channel with autoRead off cannot stall.
        if !deliveredSinceReadComplete, state == .handshaking || state == .active { context.read() }
        deliveredSinceReadComplete = false
        context.fireChannelReadComplete()
    }

    private func advanceHandshake(context: ChannelHandlerContext) {
        guard let engine else { return }
        let outcome = engine.handshake()
        writeCiphertext(context: context, promise: nil, flush: true)
        switch outcome {
        case .done: handshakeCompleted(context: context, engine: engine)
        case .wantsMore: break
        case .closeNotify: fail(context: context, TLSError(.handshakeFailed, "the peer closed during the handshake"))
        case .failed(let error): fail(context: context, error)
        }
    }

    private func handshakeCompleted(context: ChannelHandlerContext, engine: TLSEngine) {
        timer?.cancel()
        let info = engine.sessionInfo()
        guard let alpn = info.applicationProtocol, tlsContext.configuration.applicationProtocols.contains(alpn) else {
            fail(context: context, TLSError(.noApplicationProtocol, "the server selected no ALPN protocol (we offer \(tlsContext.configuration.applicationProtocols))"))
            return
        }
        state = .active
        context.fireUserInboundEventTriggered(TLSEvent.handshakeCompleted(info))
        if flushRequested {
            encryptPendingWrites(context: context)
            context.flush()
        }
        flushRequested = false
        // Application data may have arrived together with the last handshake flight.
        if state == .active, engine.hasBufferedInput { deliverPlaintext(context: context) }
    }

    private func deliverPlaintext(context: ChannelHandlerContext) {
        guard let engine else { return }
        // Delivering plaintext can make the application close or fail the channel re-entrantly.
        while state == .active || state == .closing {
            let capacity = max(Self.minimumReadChunk, engine.bufferedCiphertext)
            var buffer = context.channel.allocator.buffer(capacity: capacity)
            let outcome = engine.read(into: &buffer)
            if buffer.readableBytes > 0 {
                deliveredSinceReadComplete = true
                context.fireChannelRead(wrapInboundOut(buffer))
            }
            // Reading can make OpenSSL answer (e.g. a KeyUpdate); send that along.
            writeCiphertext(context: context, promise: nil, flush: true)
            switch outcome {
            case .done: if !engine.hasBufferedInput { return }  // the buffer filled up; more may follow
            case .wantsMore: return
            case .closeNotify:
                peerSentCloseNotify(context: context)
                return
            case .failed(let error):
                fail(context: context, error)
                return
            }
        }
    }

    /// The peer is done: answer with our close_notify (if not sent yet) and close.
    private func peerSentCloseNotify(context: ChannelHandlerContext) {
        receivedCloseNotify = true
        if state == .active {
            engine?.shutdown()
            state = .closing
            writeCiphertext(context: context, promise: nil, flush: true)
        }
        context.fireChannelReadComplete()
        context.close(promise: nil)
    }
}

/// Confined to its channel's event loop, like every NIO handler.
@available(*, unavailable)
extension TLSHandler: Sendable {}
