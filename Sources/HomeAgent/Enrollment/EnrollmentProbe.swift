import AgentRuntime
import NIOCore
import Synchronization
import Wire

/// Watches one enrollment connection: remembers the edge CA certificate the
/// TLS handshake verified against the pin, turns TLS failures into
/// enrollment errors, and completes `response` with the edge's answer.
final class EnrollmentProbe: Sendable {
    let eventLoop: EventLoop
    private let promise: EventLoopPromise<EnrollResponse>
    private let state = Mutex<(ca: Certificate?, failure: EnrollmentError?)>((nil, nil))
    let caPin: [UInt8]

    init(eventLoop: EventLoop, caPin: [UInt8]) {
        self.eventLoop = eventLoop
        self.caPin = caPin
        self.promise = eventLoop.makePromise()
    }

    var response: EventLoopFuture<EnrollResponse> { promise.futureResult }
    var caCertificate: Certificate? { state.withLock { $0.ca } }

    func failure(address: String) -> EnrollmentError? { state.withLock { $0.failure } }

    func fail(_ error: EnrollmentError) {
        state.withLock { if $0.failure == nil { $0.failure = error } }
        promise.fail(error)
    }

    var tlsObserver: TLSObserver { TLSObserver(probe: self) }
    var responseObserver: ResponseObserver { ResponseObserver(probe: self) }

    /// Between TLS and the session: sees the handshake outcome.
    final class TLSObserver: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias InboundOut = ByteBuffer
        let probe: EnrollmentProbe
        init(probe: EnrollmentProbe) { self.probe = probe }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case TLSEvent.handshakeCompleted(let info) = event {
                let ca = info.peerVerifiedChain.first { $0.fingerprintSHA256 == probe.caPin }
                probe.state.withLock { $0.ca = ca }
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: Error) {
            if let error = error as? TLSError {
                let address = context.channel.remoteAddress.plainText
                probe.fail(error.kind == .peerVerificationFailed
                    ? .pinMismatch(address: address)
                    : .tls("with \(address): \(NetworkErrorText.describe(error))"))
            }
            context.fireErrorCaught(error)
        }

        func channelInactive(context: ChannelHandlerContext) {
            probe.fail(.protocolError("the edge closed the connection before answering"))
            context.fireChannelInactive()
        }
    }

    /// After the session: completes the probe with ENROLL_RESPONSE.
    final class ResponseObserver: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        let probe: EnrollmentProbe
        init(probe: EnrollmentProbe) { self.probe = probe }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            if case SessionEvent.control(let kind, let body) = event {
                switch try? ControlMessage.decode(kind: ControlKind(rawValue: kind), body: body) {
                case .enrollResponse(let response)?: probe.promise.succeed(response)
                default: break
                }
            }
        }
    }
}
