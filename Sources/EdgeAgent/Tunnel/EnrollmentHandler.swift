import Logging
import NIOCore
import Wire

/// Runs an enrolling home's session (one without a client certificate): it
/// answers exactly one ENROLL_REQUEST, then drains the session with GOAWAY
/// NO_ERROR whatever the answer ([ENROLL-3]); another known CONTROL kind ends
/// it with PROTOCOL_ERROR, unknown kinds are ignored ([ENROLL-2], [CTRL-3]),
/// and a home that sends no ENROLL_REQUEST within `timeout` gets GOAWAY
/// TIMEOUT ([ENROLL-2]).
final class EnrollmentHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    /// How long a GOAWAY'd enrolling session may linger before it is closed regardless.
    static let closeGrace: TimeAmount = .seconds(2)

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
        let session = self.session
        let logger = self.logger
        let timeout = self.timeout
        timer = context.eventLoop.scheduleTask(in: timeout) {
            logger.notice("enrolling connection sent no ENROLL_REQUEST in time; closing")
            // GOAWAY needs a ready session; before HELLO (or if the peer never
            // reads) the close below ends it anyway.
            _ = session.goAway(code: .timeout, debug: "no ENROLL_REQUEST within \(timeout.nanoseconds / 1_000_000_000) s",
                               timeout: Self.closeGrace)
            channel.eventLoop.scheduleTask(in: Self.closeGrace) { channel.close(promise: nil) }
        }
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
            // [CTRL-3]: a kind this edge does not know (decodes to nil) is ignored, here too;
            // a known one, even with a malformed body, is a protocol error before enrollment.
            let known: Bool
            do { known = try ControlMessage.decode(kind: kind, body: body) != nil } catch { known = true }
            if known {
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
