import Logging
import NIOCore
import Wire

/// The public HTTP port: reads the request head, routes by Host to the home's
/// `http` forward, sends ACME HTTP-01 challenges for names served only over
/// TLS to the home owning them, and redirects every other request for such a
/// name to HTTPS. The first request's Host decides for the whole connection.
struct PublicHTTPListener: Sendable {
    /// How long a client may take to send its request head.
    static let peekTimeout: TimeAmount = .seconds(5)

    var routes: RouteTable
    var opener: PublicStreamOpener
    var refusals: PublicRefusalCounters
    /// The public TLS port, for redirect locations (left out when 443).
    var tlsPort: Int
    var logger: Logger

    func initialize(_ channel: Channel) throws {
        let parser = HTTPHeadParser()
        let peek = FirstBytesPeekHandler<HTTPRequestHead>(
            timeout: Self.peekTimeout,
            parse: { try parser.parse($0).value },
            decided: { result, bytes, channel in route(result, bytes: bytes, channel: channel) })
        try channel.pipeline.syncOperations.addHandler(peek)
    }

    private func route(
        _ result: Result<HTTPRequestHead, FirstBytesPeekHandler<HTTPRequestHead>.Failure>, bytes: ByteBuffer,
        channel: Channel
    ) {
        let head: HTTPRequestHead
        switch result {
        case .success(let value):
            head = value
        case .failure(.rejected(HTTPHeadError.tooLarge)):
            return respond(channel, .headTooLarge, refusal: .malformed)
        case .failure(.rejected(let error)):
            return respond(channel, .badRequest("\(error)"), refusal: .malformed)
        case .failure(.timedOut):
            return respond(channel, .timeout, refusal: .peekTimeout)
        case .failure(.truncated):
            refusals.count(.truncated)
            return channel.close(promise: nil)
        }
        guard let host = head.host else {
            return respond(channel, .badRequest("the request names no host"), refusal: .noServerName)
        }
        if let route = routes.route(forHost: host, type: .http) {
            return forward(channel, to: route, host: host, bytes: bytes)
        }
        guard let secure = routes.route(forHost: host, type: .https) else {
            return respond(channel, .notFound(host: host), refusal: .unknownName)
        }
        if head.isACMEChallenge {
            return forward(channel, to: secure, host: host, bytes: bytes, purpose: .acmeChallenge)
        }
        let port = tlsPort == 443 ? "" : ":\(tlsPort)"
        let path = head.target.hasPrefix("/") ? head.target : head.path
        respond(channel, .redirect(to: "https://\(host)\(port)\(path)"), refusal: nil)
    }

    private func forward(
        _ channel: Channel, to route: Route, host: String, bytes: ByteBuffer, purpose: StreamPurpose? = nil
    ) {
        opener.connect(
            channel, to: route, serverName: host, purpose: purpose, initialData: bytes,
            streamHandlers: { [BadGatewayResponder()] })
            .whenFailure { error in
                logger.debug("public HTTP request not forwarded", metadata: ["host": "\(host)", "reason": "\(error)"])
                respond(channel, .homeOffline(host: host), refusal: .homeOffline)
            }
    }

    private func respond(_ channel: Channel, _ response: PublicHTTPResponse, refusal: PublicRefusal?) {
        if let refusal { refusals.count(refusal) }
        channel.writeAndFlush(response.bytes(allocator: channel.allocator)).whenComplete { _ in
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
            // The client closes once it has the answer; don't wait forever.
            channel.eventLoop.scheduleTask(in: .seconds(2)) { channel.close(promise: nil) }
        }
    }
}
