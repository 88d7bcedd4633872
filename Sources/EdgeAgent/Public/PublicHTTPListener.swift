import AgentRuntime
import Logging
import NIOCore
import Wire

/// The public HTTP port: reads the request head, routes by Host to the home's
/// `http` forward, sends ACME HTTP-01 challenges for names served only over
/// TLS to the home owning them, and redirects every other request for such a
/// name to HTTPS. The first request decides where the connection goes; a
/// later request on it for anywhere else ends it (`HTTPRequestGuard`).
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
        let accepted = NIODeadline.now()
        let peek = FirstBytesPeekHandler<HTTPRequestHead>(
            timeout: Self.peekTimeout,
            parse: { try parser.parse($0).value },
            decided: { result, bytes, channel in route(result, bytes: bytes, channel: channel, accepted: accepted) })
        try channel.pipeline.syncOperations.addHandler(peek)
    }

    private func route(
        _ result: Result<HTTPRequestHead, FirstBytesPeekHandler<HTTPRequestHead>.Failure>, bytes: ByteBuffer,
        channel: Channel, accepted: NIODeadline
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
        switch destination(of: head) {
        case .respond(let response, let refusal):
            respond(channel, response, refusal: refusal)
        case .home(let route, let purpose, let host):
            forward(channel, accepted: accepted, head: head, to: route, host: host, bytes: bytes, purpose: purpose)
        }
    }

    /// Where a request goes: a home's forward, or an answer from the edge.
    private enum Destination {
        case home(Route, purpose: StreamPurpose?, host: String)
        case respond(PublicHTTPResponse, refusal: PublicRefusal?)

        /// The home and forward a request reaches, whatever its host.
        var reached: ReachedForward? {
            guard case .home(let route, let purpose, _) = self else { return nil }
            return ReachedForward(home: route.home, forward: route.forward, purpose: purpose)
        }
    }

    private struct ReachedForward: Equatable {
        var home: String
        var forward: String
        var purpose: StreamPurpose?
    }

    private func destination(of head: HTTPRequestHead) -> Destination {
        guard let host = head.host else {
            return .respond(.badRequest("the request names no host"), refusal: .noServerName)
        }
        if let route = routes.route(forHost: host, type: .http) {
            return .home(route, purpose: nil, host: host)
        }
        guard let secure = routes.route(forHost: host, type: .https) else {
            return .respond(.notFound(host: host), refusal: .unknownName)
        }
        if head.isACMEChallenge {
            return .home(secure, purpose: .acmeChallenge, host: host)
        }
        let port = tlsPort == 443 ? "" : ":\(tlsPort)"
        let path = head.target.hasPrefix("/") ? head.target : head.path
        return .respond(.redirect(to: "https://\(host)\(port)\(path)"), refusal: nil)
    }

    /// Opens the stream for the first request, with a guard that keeps the
    /// connection's later requests to the same home and forward: the edge
    /// routes connections, and a keep-alive connection must never carry
    /// another home's requests (and cookies) to this one.
    private func forward(
        _ channel: Channel, accepted: NIODeadline, head: HTTPRequestHead, to route: Route, host: String,
        bytes: ByteBuffer, purpose: StreamPurpose?
    ) {
        let reached = Destination.home(route, purpose: purpose, host: host).reached
        let allows: (HTTPRequestHead) -> Bool = { [self] later in destination(of: later).reached == reached }
        var initialData = bytes
        let requestGuard: HTTPRequestGuard
        do {
            var sequence = try HTTPRequestSequence(first: head, allows: allows)
            // The bytes read with the first head may already hold its body
            // and later requests.
            var first = initialData.readSlice(length: head.headLength) ?? ByteBuffer()
            let output = sequence.feed(initialData)
            var rest = output.forward
            first.writeBuffer(&rest)
            initialData = first
            requestGuard = HTTPRequestGuard(sequence: sequence, stoppedBy: output.stop, onStop: { stop in
                if case .otherDestination = stop { refusals.count(.otherDestination) } else { refusals.count(.malformed) }
                logger.info("public HTTP connection ends before a later request it may not carry",
                    metadata: ["host": "\(host)", "home": "\(route.home)", "reason": "\(stop)"])
            })
        } catch {
            return respond(channel, .badRequest("\(error)"), refusal: .malformed)
        }
        let bound = NIOLoopBound(requestGuard, eventLoop: channel.eventLoop)
        opener.connect(
            channel, acceptedAt: accepted, to: route, serverName: host, purpose: purpose, initialData: initialData,
            streamHandlers: { [BadGatewayResponder()] }, publicHandlers: { [bound.value] })
            .whenFailure { error in
                logger.debug("public HTTP request not forwarded", metadata: ["host": "\(host)", "reason": .reason(error)])
                if case .atCapacity = error as? PublicStreamOpener.Failure {
                    respond(channel, .busy(host: host), refusal: .atCapacity)
                } else {
                    respond(channel, .homeOffline(host: host), refusal: .homeOffline)
                }
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
