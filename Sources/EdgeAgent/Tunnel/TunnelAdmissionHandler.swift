import AgentRuntime
import Logging
import NIOCore
import Wire

/// Sits between TLS and the session on every tunnel connection until the
/// peer is identified. The home sends HELLO right behind its TLS Finished, so
/// plaintext can arrive before the (asynchronous) registry lookup is done:
/// it is held here and replayed into the session once the decision is made,
/// and the handler then removes itself.
///
/// Bounded: nothing more is read while the decision is pending (reads asked
/// for meanwhile wait), and a peer whose plaintext before admission exceeds
/// `maximumHeldBytes` (far more than a HELLO and an ENROLL_REQUEST) is closed.
final class TunnelAdmissionHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer

    static let maximumHeldBytes = 256 * 1024

    private let admit: @Sendable (Certificate?) async throws -> TunnelAdmission
    private let install: (Channel, TunnelAdmission) throws -> Void
    private let logger: Logger
    private var held: [NIOAny] = []
    private var heldBytes = 0
    private var deciding = false
    /// A read was asked for while the decision was pending.
    private var readWaiting = false

    init(
        logger: Logger,
        admit: @escaping @Sendable (Certificate?) async throws -> TunnelAdmission,
        install: @escaping (Channel, TunnelAdmission) throws -> Void
    ) {
        self.logger = logger
        self.admit = admit
        self.install = install
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        heldBytes += unwrapInboundIn(data).readableBytes
        held.append(data)
        guard heldBytes <= Self.maximumHeldBytes else {
            logger.notice("tunnel connection refused", metadata: [
                "peer": "\(context.channel.remoteAddress.plainText)",
                "reason": "more than \(Self.maximumHeldBytes) bytes before admission",
            ])
            held.removeAll()
            heldBytes = 0
            return context.close(promise: nil)
        }
    }

    func read(context: ChannelHandlerContext) {
        if deciding {
            readWaiting = true
        } else {
            context.read()
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case TLSEvent.handshakeCompleted(let info) = event, !deciding else {
            return context.fireUserInboundEventTriggered(event)
        }
        deciding = true
        let admit = self.admit
        let certificate = info.peerCertificate
        let decision = context.eventLoop.makeFutureWithTask { try await admit(certificate) }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        decision.whenComplete { result in
            let (handler, context) = bound.value
            handler.decided(result, context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    private func decided(_ result: Result<TunnelAdmission, Error>, context: ChannelHandlerContext) {
        do {
            let admission = try result.get()
            try install(context.channel, admission)
            let replay = held
            held.removeAll()
            heldBytes = 0
            deciding = false
            for data in replay { context.fireChannelRead(data) }
            if !replay.isEmpty { context.fireChannelReadComplete() }
            if readWaiting { context.read() }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            logger.notice("tunnel connection refused", metadata: ["peer": "\(context.channel.remoteAddress.plainText)", "reason": .reason(error)])
            held.removeAll()
            heldBytes = 0
            context.close(promise: nil)
        }
    }
}
