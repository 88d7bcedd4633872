import Logging
import NIOCore
import Wire

/// Serves an admitted home's CONTROL requests, placed after the session
/// handler on the home's tunnel connection.
///
/// Requests are answered one at a time in arrival order: each is chained
/// onto the previous one's reply, so two forward syncs never interleave in
/// the registry. Answers echo the request's `request_id`; a home that sends
/// none (it predates them) can still match FORWARDS_RESULTs by order.
/// A request that fails to send (the session closed) does not stall the chain.
final class HomeControlHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// More requests than this waiting at once is a peer flooding us; a
    /// well-behaved home has one sync and a few domain requests in flight.
    static let maximumQueuedRequests = 64

    private let session: WireSession
    private let service: HomeControlService
    private let logger: Logger
    /// Completes when the last queued request has been answered.
    private var tail: EventLoopFuture<Void>?
    private var queued = 0

    init(session: WireSession, service: HomeControlService, logger: Logger) {
        self.session = session
        self.service = service
        self.logger = logger
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case SessionEvent.control(let rawKind, let body) = event else {
            return context.fireUserInboundEventTriggered(event)
        }
        let kind = ControlKind(rawValue: rawKind)
        switch kind {
        case .forwardsSync, .domainRequest, .renewRequest:
            enqueue(kind: kind, body: body, context: context)
        case .enrollRequest:
            logger.notice("admitted home sent ENROLL_REQUEST; ignoring it")
        case .enrollResponse, .forwardsResult, .domainResult, .renewResponse:
            logger.debug("ignoring \(kind), which only the edge sends")
        default:
            context.fireUserInboundEventTriggered(event)  // [CTRL-3]: unknown kinds are someone else's or nobody's
        }
    }

    private func enqueue(kind: ControlKind, body: ByteBuffer, context: ChannelHandlerContext) {
        guard queued < Self.maximumQueuedRequests else {
            logger.notice("home sent more than \(Self.maximumQueuedRequests) control requests without waiting; closing")
            _ = session.goAway(code: .enhanceYourCalm, debug: "too many control requests in flight")
            return
        }
        queued += 1
        let loop = context.eventLoop
        let session = self.session
        let service = self.service
        let previous = tail ?? loop.makeSucceededVoidFuture()
        let next = previous.flatMap {
            loop.makeFutureWithTask { await service.reply(to: kind, body: body) }
        }.flatMap { reply -> EventLoopFuture<Void> in
            guard let reply else { return loop.makeSucceededVoidFuture() }
            return session.sendControl(kind: reply.kind.rawValue, body: reply.body)
        }.recover { _ in }
        next.assumeIsolated().whenComplete { _ in self.queued -= 1 }
        tail = next
    }
}
