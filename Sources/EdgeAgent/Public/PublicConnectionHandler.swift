import NIOCore
import Wire

/// Owns one public connection for its whole life, as the first handler of
/// its pipeline: peeking → opening → spliced, or refused; closed from any of
/// them. The port's rules come from its `Router`; everything that can fail
/// on the way is handled here, and what a failed step opened is closed here.
///
/// - peeking: reads the first bytes (the channel starts with auto-read off;
///   the handler asks for each read itself), bounded in bytes by the
///   router's parser and in time by its `peekTimeout`, so a slow or silent
///   client costs one small buffer and one timer, never a stream to a home.
/// - opening: the stream is being opened, often on another event loop.
///   Nothing is read, but the kernel still reports an end of input or a
///   reset and NIO delivers it even with auto-read off: such events are kept
///   and replayed once the splice is in place, or the home would wait
///   forever for a FIN.
/// - spliced: the public splice end sits behind this handler, which passes
///   everything through. From here the splice closes either side when the
///   other ends (`SpliceHandler`).
/// - closed: refused (answered as the router says, and counted), or the
///   client left. A stream that opens for a closed connection is closed.
final class PublicConnectionHandler<Router: PublicConnectionRouter>: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    /// An inbound event kept while the stream opens.
    private enum Held {
        case read(NIOAny)
        case inputClosed
        case error(any Error)
        case inactive
    }

    private enum Phase {
        /// Not active yet.
        case idle
        case peeking(received: ByteBuffer?, timer: Scheduled<Void>?)
        case opening(held: [Held])
        case spliced
        case closed
    }

    private let router: Router
    private let opener: PublicStreamOpener
    private let refusals: PublicRefusalCounters
    private var phase = Phase.idle
    /// When the listener accepted the connection (the handler is made
    /// then), for the first-byte latency.
    private let accepted = NIODeadline.now()
    private var context: ChannelHandlerContext?

    init(router: Router, opener: PublicStreamOpener, refusals: PublicRefusalCounters) {
        self.router = router
        self.opener = opener
        self.refusals = refusals
    }

    // MARK: Pipeline events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if case .peeking(_, let timer) = phase { timer?.cancel() }
        // A stream still opening finds the connection closed and closes too.
        phase = .closed
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        context.fireChannelActive()
        start(context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .peeking(var received, let timer):
            var bytes = unwrapInboundIn(data)
            if received == nil {
                received = bytes
            } else {
                received?.writeBuffer(&bytes)
            }
            phase = .peeking(received: received, timer: timer)
            peek(context: context)
        case .opening(var held):
            held.append(.read(data))
            phase = .opening(held: held)
        case .spliced:
            context.fireChannelRead(data)
        case .idle, .closed:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        switch phase {
        case .peeking: context.read()
        case .spliced: context.fireChannelReadComplete()
        case .idle, .opening, .closed: break
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case ChannelEvent.inputClosed = event else { return context.fireUserInboundEventTriggered(event) }
        switch phase {
        case .peeking: decide(.failure(.truncated), context: context)
        case .opening(var held):
            held.append(.inputClosed)
            phase = .opening(held: held)
        case .spliced: context.fireUserInboundEventTriggered(event)
        case .idle, .closed: break
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch phase {
        case .opening(var held):
            held.append(.error(error))
            phase = .opening(held: held)
        case .spliced: context.fireErrorCaught(error)
        // Before routing and after a refusal an error only ends the
        // connection, which is closing or about to be.
        case .idle, .peeking, .closed: context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        switch phase {
        case .peeking: decide(.failure(.truncated), context: context)
        case .opening(var held):
            held.append(.inactive)
            phase = .opening(held: held)
            return
        case .spliced, .idle, .closed: break
        }
        context.fireChannelInactive()
    }

    // MARK: Peeking

    private func start(context: ChannelHandlerContext) {
        guard case .idle = phase else { return }
        guard let timeout = router.peekTimeout else {
            phase = .peeking(received: nil, timer: nil)
            return peek(context: context)
        }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let timer = context.eventLoop.scheduleTask(in: timeout) {
            let handler = bound.value
            guard case .peeking = handler.phase, let context = handler.context else { return }
            handler.decide(.failure(.timedOut), context: context)
        }
        phase = .peeking(received: nil, timer: timer)
        context.read()
    }

    private func peek(context: ChannelHandlerContext) {
        guard case .peeking(let received, _) = phase else { return }
        let bytes = received ?? context.channel.allocator.buffer(capacity: 0)
        do {
            if let value = try router.peek(bytes) { decide(.success(value), context: context) }
        } catch {
            decide(.failure(.rejected(error)), context: context)
        }
    }

    // MARK: Deciding and opening

    private func decide(_ peeked: Result<Router.Peeked, PublicPeekFailure>, context: ChannelHandlerContext) {
        guard case .peeking(let received, let timer) = phase else { return }
        timer?.cancel()
        phase = .opening(held: [])
        let bytes = received ?? context.channel.allocator.buffer(capacity: 0)
        switch router.decide(peeked, bytes: bytes, channel: context.channel) {
        case .refuse(let refusal):
            refuse(refusal, context: context)
        case .open(let handOver, let publicHandlers):
            let channel = context.channel
            let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
            let boundHandlers = NIOLoopBound(publicHandlers, eventLoop: context.eventLoop)
            opener.open(
                handOver, client: channel.remoteAddress, publicPort: channel.localAddress?.port, acceptedAt: accepted,
                on: context.eventLoop)
                .whenComplete { result in
                    bound.value.opened(result, handOver: handOver, publicHandlers: boundHandlers.value, channel: channel)
                }
        }
    }

    /// The stream opened, or did not: splice it to the connection, or
    /// answer the client. A stream whose connection is gone, or cannot take
    /// its splice, is closed.
    private func opened(
        _ result: Result<PublicStreamOpener.Opened, any Error>, handOver: PublicHandOver,
        publicHandlers: [ChannelHandler], channel: Channel
    ) {
        let home = handOver.route.home
        let opened: PublicStreamOpener.Opened
        switch result {
        case .success(let value): opened = value
        case .failure(let error):
            let failure = error as? PublicStreamOpener.Failure ?? .openFailed(home: home, error)
            return refuse(router.refusal(for: failure, of: handOver, channel: channel), channel: channel)
        }
        guard case .opening(let held) = phase, let context, channel.isActive else {
            // The stream goes too, or it would live on and buffer what the
            // home sends for nobody.
            opened.stream.close(promise: nil)
            return refuse(router.refusal(for: .clientGone(home: home), of: handOver, channel: channel), channel: channel)
        }
        do {
            let pipeline = context.pipeline.syncOperations
            try pipeline.addHandlers(publicHandlers + [opened.publicEnd.take()], position: .after(self))
        } catch {
            opened.stream.close(promise: nil)
            return refuse(router.refusal(for: .openFailed(home: home, error), of: handOver, channel: channel), channel: channel)
        }
        phase = .spliced
        replay(held, context: context)
        context.fireUserInboundEventTriggered(PublicConnectionSpliced())
    }

    /// Passes on what happened while the stream opened, in order.
    private func replay(_ held: [Held], context: ChannelHandlerContext) {
        var read = false
        for event in held {
            switch event {
            case .read(let data):
                read = true
                context.fireChannelRead(data)
            case .inputClosed:
                if read { context.fireChannelReadComplete() }
                read = false
                context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
            case .error(let error):
                context.fireErrorCaught(error)
            case .inactive:
                context.fireChannelInactive()
            }
        }
        if read { context.fireChannelReadComplete() }
    }

    private func refuse(_ refusal: PublicConnectionRefusal, context: ChannelHandlerContext) {
        refuse(refusal, channel: context.channel)
    }

    private func refuse(_ refusal: PublicConnectionRefusal, channel: Channel) {
        phase = .closed
        refusal.send(on: channel, counting: refusals)
    }
}

/// Sent through a public connection's pipeline once its splice is in place
/// and what arrived while the stream opened was replayed.
struct PublicConnectionSpliced: Sendable {}
