import NIOCore

/// One direction of the emulated link: bytes read from one socket are
/// released to the partner socket after the link's serialization time and
/// delay, in order. Reading pauses while the line holds more than its queue
/// limit, so a fast sender is slowed by TCP backpressure instead of filling
/// memory.
final class DelayLineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let profile: LinkProfile
    private let frozen: @Sendable () -> Bool
    var partner: Channel?
    private var line = CircularBuffer<(due: NIODeadline, bytes: ByteBuffer)>()
    private var queued = 0
    private var linkFreeAt = NIODeadline.uptimeNanoseconds(0)
    private var timer: Scheduled<Void>?
    private var readPaused = false
    private var pendingRead = false
    private var inputClosed = false
    private var context: ChannelHandlerContext?

    init(profile: LinkProfile, frozen: @escaping @Sendable () -> Bool) {
        self.profile = profile
        self.frozen = frozen
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if frozen() { return }  // a frozen link loses everything, like a dead path
        let now = NIODeadline.now()
        linkFreeAt = max(linkFreeAt, now) + profile.serialization(of: bytes.readableBytes)
        line.append((linkFreeAt + profile.delay, bytes))
        queued += bytes.readableBytes
        readPaused = queued >= profile.queueLimit
        scheduleRelease(context)
    }

    func read(context: ChannelHandlerContext) {
        if readPaused { pendingRead = true } else { context.read() }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case ChannelEvent.inputClosed = event {
            inputClosed = true
            releaseDue(context)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        partner?.close(promise: nil)
    }

    private func scheduleRelease(_ context: ChannelHandlerContext) {
        guard timer == nil, let head = line.first else { return }
        let bound = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(deadline: head.due) {
            let handler = bound.value
            handler.timer = nil
            if let context = handler.context { handler.releaseDue(context) }
        }
    }

    private func releaseDue(_ context: ChannelHandlerContext) {
        guard let partner else { return }
        let now = NIODeadline.now()
        var released = false
        while let head = line.first, head.due <= now {
            line.removeFirst()
            queued -= head.bytes.readableBytes
            partner.write(head.bytes, promise: nil)
            released = true
        }
        if released { partner.flush() }
        if line.isEmpty && inputClosed {
            partner.close(mode: .output, promise: nil)
        }
        if readPaused, queued < profile.queueLimit / 2 {
            readPaused = false
            if pendingRead {
                pendingRead = false
                context.read()
            }
        }
        scheduleRelease(context)
    }
}
