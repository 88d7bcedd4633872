import Logging
import NIOCore
import Wire

/// Runs an enrolling home's session (one without a client certificate): it
/// answers exactly one ENROLL_REQUEST, then drains the session; any other
/// CONTROL message ends it with PROTOCOL_ERROR, and a home that says nothing
/// is dropped after `timeout` ([ENROLL-2]).
final class EnrollmentHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let session: WireSession
    private let service: EnrollmentService
    private let timeout: TimeAmount
    private let logger: Logger
    private var answered = false
    private var timer: Scheduled<Void>?

    init(session: WireSession, service: EnrollmentService, timeout: TimeAmount = .seconds(10), logger: Logger) {
        self.session = session
        self.service = service
        self.timeout = timeout
        self.logger = logger
    }

    func handlerAdded(context: ChannelHandlerContext) {
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case SessionEvent.control(let rawKind, let body) = event else {
            return context.fireUserInboundEventTriggered(event)
        }
        let kind = ControlKind(rawValue: rawKind)
        let session = self.session
        guard kind == .enrollRequest, !answered else {
            if kind == .enrollRequest || (try? ControlMessage.decode(kind: kind, body: body)) != nil {
                logger.notice("enrolling connection sent \(kind); closing")
                _ = session.goAway(code: .protocolError, debug: "only one ENROLL_REQUEST is allowed before enrollment")
            }
            return
        }
        answered = true
        timer?.cancel()
        guard case .enrollRequest(let request)? = try? ControlMessage.decode(kind: kind, body: body) else {
            let response = EnrollResponse(error: ControlError(code: "malformed", message: "the ENROLL_REQUEST body is not valid"))
            session.send(.enrollResponse(response)).whenComplete { _ in _ = session.goAway() }
            return
        }
        let service = self.service
        let logger = self.logger
        context.eventLoop.makeFutureWithTask { await service.enroll(request) }.whenSuccess { response in
            if let home = response.home {
                logger.info("home enrolled", metadata: ["home.name": "\(home)"])
            } else {
                logger.notice("enrollment refused", metadata: ["reason": "\(response.error?.message ?? "-")"])
            }
            session.send(.enrollResponse(response)).whenComplete { _ in _ = session.goAway() }
        }
    }
}
