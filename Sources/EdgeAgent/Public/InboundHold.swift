import NIOCore

/// Keeps what happens on a public connection between the moment it was routed
/// and the moment its splice is in place (the stream to the home is being
/// opened, often on another event loop). Nothing is read then, but the kernel
/// still reports an end of input or a reset, and NIO delivers it even with
/// auto-read off; without this holder that event would pass an empty pipeline
/// and be lost, and the home would wait forever for a FIN.
///
/// Removing the holder replays what it kept, in order, to the handlers after it.
final class InboundHold: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private enum Event {
        case read(NIOAny)
        case inputClosed
        case error(any Error)
        case inactive
    }

    private var held: [Event] = []

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        held.append(.read(data))
    }

    func channelReadComplete(context: ChannelHandlerContext) {}

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            held.append(.inputClosed)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        held.append(.error(error))
    }

    func channelInactive(context: ChannelHandlerContext) {
        held.append(.inactive)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        let events = held
        held.removeAll()
        var read = false
        for event in events {
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
}

extension ChannelPipeline.SynchronousOperations {
    /// Swaps `handler` (at `context`) for an `InboundHold`.
    func replaceWithHold(context: ChannelHandlerContext) throws {
        try addHandler(InboundHold(), position: .after(context.handler))
        removeHandler(context: context, promise: nil)
    }

    /// Removes the hold, replaying what it kept to the handlers behind it.
    func releaseHold() {
        guard let context = try? self.context(handlerType: InboundHold.self) else { return }
        removeHandler(context: context, promise: nil)
    }
}
