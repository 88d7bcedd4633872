import AgentRuntime
import Logging
import NIOCore
import Wire

/// The public TLS port: reads the ClientHello without terminating TLS, routes
/// by SNI to the home owning the name, and passes every byte through.
enum PublicTLSListener {
    /// How long a client may take to send its ClientHello.
    static let peekTimeout: TimeAmount = .seconds(5)

    static func initialize(
        _ channel: Channel, routes: RouteTable, opener: PublicStreamOpener, refusals: PublicRefusalCounters,
        logger: Logger
    ) throws {
        let parser = ClientHelloParser()
        let accepted = NIODeadline.now()
        let peek = FirstBytesPeekHandler<ClientHelloInfo>(
            timeout: peekTimeout,
            parse: { try parser.parse($0).value },
            decided: { result, bytes, channel in
                route(result, bytes: bytes, channel: channel, accepted: accepted, routes: routes, opener: opener,
                      refusals: refusals, logger: logger)
            })
        try channel.pipeline.syncOperations.addHandler(peek)
    }

    private static func route(
        _ result: Result<ClientHelloInfo, FirstBytesPeekHandler<ClientHelloInfo>.Failure>, bytes: ByteBuffer,
        channel: Channel, accepted: NIODeadline, routes: RouteTable, opener: PublicStreamOpener,
        refusals: PublicRefusalCounters, logger: Logger
    ) {
        let hello: ClientHelloInfo
        switch result {
        case .success(let value):
            hello = value
        case .failure(.rejected(let error)):
            refuse(channel, .malformed, alert: .decodeError, refusals: refusals, logger: logger, detail: "\(error)")
            return
        case .failure(.timedOut):
            refuse(channel, .peekTimeout, alert: nil, refusals: refusals, logger: logger, detail: "no ClientHello within \(peekTimeout)")
            return
        case .failure(.truncated):
            refuse(channel, .truncated, alert: nil, refusals: refusals, logger: logger, detail: "closed before the ClientHello ended")
            return
        }
        guard let name = hello.serverName else {
            return refuse(channel, .noServerName, alert: .unrecognizedName, refusals: refusals, logger: logger, detail: "no SNI")
        }
        guard let route = routes.route(forHost: name, type: .https) else {
            return refuse(channel, .unknownName, alert: .unrecognizedName, refusals: refusals, logger: logger, detail: name)
        }
        let connected = opener.connect(channel, acceptedAt: accepted, to: route, serverName: name, initialData: bytes)
        connected.whenFailure { error in
            let reason = (error as? PublicStreamOpener.Failure)?.refusal ?? .homeOffline
            refuse(channel, reason, alert: .internalError, refusals: refusals, logger: logger, detail: "\(name): \(NetworkErrorText.describe(error))")
        }
    }

    private static func refuse(
        _ channel: Channel, _ reason: PublicRefusal, alert: TLSAlert?, refusals: PublicRefusalCounters,
        logger: Logger, detail: String
    ) {
        refusals.count(reason)
        logger.debug("public TLS connection refused", metadata: [
            "reason": "\(reason.rawValue)", "detail": "\(detail.prefix(200))",
            "client": "\(channel.remoteAddress.plainText)",
        ])
        guard let alert else {
            channel.close(promise: nil)
            return
        }
        channel.writeAndFlush(alert.record(allocator: channel.allocator)).whenComplete { _ in
            channel.close(promise: nil)
        }
    }
}

/// The fatal TLS alerts the edge can send in the clear before any handshake
/// (RFC 8446 §6): the client gets a reason instead of a bare reset.
enum TLSAlert: UInt8 {
    case decodeError = 50
    case internalError = 80
    case unrecognizedName = 112

    /// An alert record: content type 21, legacy version TLS 1.2, level fatal.
    func record(allocator: ByteBufferAllocator) -> ByteBuffer {
        var buffer = allocator.buffer(capacity: 7)
        buffer.writeBytes([21, 0x03, 0x03, 0x00, 0x02, 2, rawValue])
        return buffer
    }
}
