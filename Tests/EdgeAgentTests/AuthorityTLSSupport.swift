// One TLS handshake on loopback between our TLSHandler server and client, for
// the authority tests: what each side concluded, bounded by timeouts. (A small
// cousin of WireTests' TLSTestChannels, which this target cannot import.)

import NIOCore
import NIOPosix
import Wire

struct AuthorityTLSTimeout: Error {}

/// What both ends of one handshake saw.
struct AuthorityTLSOutcome: Sendable {
    var clientSession: TLSSessionInfo?
    var serverSession: TLSSessionInfo?
    var clientErrors: [TLSError]
    var serverErrors: [TLSError]
}

/// Reports the handshake result and TLS errors of one channel.
final class AuthorityTLSRecorder: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let handshake: EventLoopPromise<TLSSessionInfo>
    let closed: EventLoopPromise<[TLSError]>
    private var errors: [TLSError] = []

    init(handshake: EventLoopPromise<TLSSessionInfo>, closed: EventLoopPromise<[TLSError]>) {
        self.handshake = handshake
        self.closed = closed
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted(let info)? = event as? TLSEvent { handshake.succeed(info) }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? TLSError { errors.append(error) }
        handshake.fail(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        handshake.fail(ChannelError.ioOnClosedChannel)
        closed.succeed(errors)
        context.fireChannelInactive()
    }
}

extension EventLoopFuture where Value: Sendable {
    func authorityValue(within timeout: TimeAmount = .seconds(10)) async throws -> Value {
        let promise = eventLoop.makePromise(of: Value.self)
        let timer = eventLoop.scheduleTask(in: timeout) { promise.fail(AuthorityTLSTimeout()) }
        cascade(to: promise)
        defer { timer.cancel() }
        return try await promise.futureResult.get()
    }
}

/// Handshakes `client` against `server` over 127.0.0.1, then closes both.
func authorityHandshake(server: TLSConfiguration, client: TLSConfiguration) async throws -> AuthorityTLSOutcome {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    do {
        let outcome = try await authorityHandshake(server: server, client: client, group: group)
        try await group.shutdownGracefully()
        return outcome
    } catch {
        try? await group.shutdownGracefully()
        throw error
    }
}

private func authorityHandshake(server: TLSConfiguration, client: TLSConfiguration,
                                group: EventLoopGroup) async throws -> AuthorityTLSOutcome {
    let loop = group.next()
    let serverContext = try TLSContext(configuration: server)
    let clientContext = try TLSContext(configuration: client)
    let serverHandshake = loop.makePromise(of: TLSSessionInfo.self)
    let serverClosed = loop.makePromise(of: [TLSError].self)
    let clientHandshake = loop.makePromise(of: TLSSessionInfo.self)
    let clientClosed = loop.makePromise(of: [TLSError].self)
    let listener = try await ServerBootstrap(group: group)
        .childChannelInitializer { child in
            child.eventLoop.makeCompletedFuture {
                try child.pipeline.syncOperations.addHandlers(
                    TLSHandler(context: serverContext),
                    AuthorityTLSRecorder(handshake: serverHandshake, closed: serverClosed))
            }
        }
        .bind(host: "127.0.0.1", port: 0).get()
    let channel = try await ClientBootstrap(group: loop)
        .connectTimeout(.seconds(5))
        .channelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHandlers(
                    TLSHandler(context: clientContext),
                    AuthorityTLSRecorder(handshake: clientHandshake, closed: clientClosed))
            }
        }
        .connect(host: "127.0.0.1", port: listener.localAddress!.port!).get()
    let clientSession = try? await clientHandshake.futureResult.authorityValue()
    // TLS 1.3: the client finishes before the server has judged its certificate.
    let serverSession = try? await serverHandshake.futureResult.authorityValue()
    try? await channel.close()
    let clientErrors = try await clientClosed.futureResult.authorityValue()
    let serverErrors = try await serverClosed.futureResult.authorityValue()
    try? await listener.close()
    return AuthorityTLSOutcome(clientSession: clientSession, serverSession: serverSession,
                               clientErrors: clientErrors, serverErrors: serverErrors)
}
