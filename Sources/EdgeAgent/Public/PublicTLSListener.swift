import AgentRuntime
import Logging
import NIOCore
import Wire

/// The public TLS port: reads the ClientHello without terminating TLS, routes
/// by SNI to the home owning the name, and passes every byte through. A
/// client that cannot be routed gets a TLS alert saying why.
struct PublicTLSListener: PublicConnectionRouter {
    /// How long a client may take to send its ClientHello.
    static let peekTimeout: TimeAmount = .seconds(5)

    var routes: RouteTable
    var logger: Logger
    private let parser = ClientHelloParser()

    init(routes: RouteTable, logger: Logger) {
        self.routes = routes
        self.logger = logger
    }

    var peekTimeout: TimeAmount? { Self.peekTimeout }

    func peek(_ bytes: ByteBuffer) throws -> ClientHelloInfo? {
        try parser.parse(bytes).value
    }

    func decide(_ peeked: Result<ClientHelloInfo, PublicPeekFailure>, bytes: ByteBuffer, channel: Channel) -> PublicConnectionDecision {
        let hello: ClientHelloInfo
        switch peeked {
        case .success(let value):
            hello = value
        case .failure(.rejected(let error)):
            return .refuse(refusal(.malformed, alert: .decodeError, channel: channel, detail: "\(error)"))
        case .failure(.timedOut):
            return .refuse(refusal(.peekTimeout, alert: nil, channel: channel, detail: "no ClientHello within \(Self.peekTimeout)"))
        case .failure(.truncated):
            return .refuse(refusal(.truncated, alert: nil, channel: channel, detail: "closed before the ClientHello ended"))
        }
        guard let name = hello.serverName else {
            return .refuse(refusal(.noServerName, alert: .unrecognizedName, channel: channel, detail: "no SNI"))
        }
        guard let route = routes.route(forHost: name, type: .https) else {
            return .refuse(refusal(.unknownName, alert: .unrecognizedName, channel: channel, detail: name))
        }
        return .open(PublicHandOver(route: route, serverName: name, initialData: bytes))
    }

    func refusal(for failure: PublicStreamOpener.Failure, of handOver: PublicHandOver, channel: Channel) -> PublicConnectionRefusal {
        refusal(failure.refusal, alert: .internalError, channel: channel,
                detail: "\(handOver.serverName ?? "-"): \(NetworkErrorText.describe(failure))")
    }

    private func refusal(_ reason: PublicRefusal, alert: TLSAlert?, channel: Channel, detail: String) -> PublicConnectionRefusal {
        logger.debug("public TLS connection refused", metadata: [
            "reason": "\(reason.rawValue)", "detail": "\(detail.prefix(200))",
            "client": "\(channel.remoteAddress.plainText)",
        ])
        return PublicConnectionRefusal(reason: reason, answer: alert.map { .tlsAlert($0) } ?? .close)
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
