import Logging
import NIOCore
import Wire

/// Sits between TLS and the session on every tunnel connection until the
/// peer is identified. The home sends HELLO right behind its TLS Finished, so
/// plaintext can arrive before the (asynchronous) registry lookup is done:
/// it is held here and replayed into the session once the decision is made,
/// and the handler then removes itself.
final class TunnelAdmissionHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let admit: @Sendable (Certificate?) async throws -> TunnelAdmission
    private let install: (Channel, TunnelAdmission) throws -> Void
    private let logger: Logger
    private var held: [NIOAny] = []
    private var deciding = false

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
        held.append(data)
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
            for data in replay { context.fireChannelRead(data) }
            if !replay.isEmpty { context.fireChannelReadComplete() }
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            logger.notice("tunnel connection refused", metadata: ["peer": "\(context.channel.remoteAddress.map { "\($0)" } ?? "-")", "reason": "\(error)"])
            held.removeAll()
            context.close(promise: nil)
        }
    }
}
