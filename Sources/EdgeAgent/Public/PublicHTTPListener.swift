import AgentRuntime
import Logging
import NIOCore
import Wire

/// The public HTTP port: reads the request head, routes by Host to the home's
/// `http` forward, sends ACME HTTP-01 challenges for names served only over
/// TLS to the home owning them, and redirects every other request for such a
/// name to HTTPS. The first request decides where the connection goes; a
/// later request on it for anywhere else ends it (`HTTPRequestGuard`).
struct PublicHTTPListener: PublicConnectionRouter {
    /// How long a client may take to send a request head: the first, and
    /// each later one on a kept-alive connection from its first byte ([SEC-10]).
    static let peekTimeout: TimeAmount = .seconds(5)

    var routes: RouteTable
    var refusals: PublicRefusalCounters
    /// The public TLS port, for redirect locations (left out when 443).
    var tlsPort: Int
    var logger: Logger
    private let parser = HTTPHeadParser()

    init(routes: RouteTable, refusals: PublicRefusalCounters, tlsPort: Int, logger: Logger) {
        self.routes = routes
        self.refusals = refusals
        self.tlsPort = tlsPort
        self.logger = logger
    }

    var peekTimeout: TimeAmount? { Self.peekTimeout }

    func peek(_ bytes: ByteBuffer) throws -> HTTPRequestHead? {
        try parser.parse(bytes).value
    }

    func decide(_ peeked: Result<HTTPRequestHead, PublicPeekFailure>, bytes: ByteBuffer, channel: Channel) -> PublicConnectionDecision {
        let head: HTTPRequestHead
        switch peeked {
        case .success(let value):
            head = value
        case .failure(.rejected(HTTPHeadError.tooLarge)):
            return .refuse(.init(reason: .malformed, answer: .httpPage(.headTooLarge)))
        case .failure(.rejected(let error)):
            return .refuse(.init(reason: .malformed, answer: .httpPage(.badRequest("\(error)"))))
        case .failure(.timedOut):
            return .refuse(.init(reason: .peekTimeout, answer: .httpPage(.timeout)))
        case .failure(.truncated):
            return .refuse(.init(reason: .truncated, answer: .close))
        }
        switch destination(of: head) {
        case .respond(let response, let refusal):
            return .refuse(.init(reason: refusal, answer: .httpPage(response)))
        case .home(let route, let purpose, let host):
            let headers = ForwardedHeaders(client: channel.remoteAddress, proto: "http")
            return forward(head: head, to: route, host: host, bytes: bytes, purpose: purpose, headers: headers)
        }
    }

    func refusal(for failure: PublicStreamOpener.Failure, of handOver: PublicHandOver, channel: Channel) -> PublicConnectionRefusal {
        let host = handOver.serverName ?? ""
        logger.debug("public HTTP request not forwarded", metadata: ["host": "\(host)", "reason": .reason(failure)])
        if case .atCapacity = failure {
            return .init(reason: .atCapacity, answer: .httpPage(.busy(host: host)))
        }
        return .init(reason: .homeOffline, answer: .httpPage(.homeOffline(host: host)))
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
        // The port routes requests to origins; it is no proxy, and a CONNECT
        // "granted" by a catch-all service would end the edge's judging ([SEC-9]).
        if head.method == "CONNECT" {
            return .respond(.badRequest("CONNECT is not served here: this port routes requests to sites, it is no proxy"),
                            refusal: .malformed)
        }
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

    /// Hands the first request to its home, with a guard that keeps the
    /// connection's later requests to the same home and forward: the edge
    /// routes connections, and a keep-alive connection must never carry
    /// another home's requests (and cookies) to this one. Every request
    /// head, the first and each later one, carries the edge's `headers`
    /// instead of any forwarding headers the client sent ([SEC-7]).
    private func forward(
        head: HTTPRequestHead, to route: Route, host: String, bytes: ByteBuffer, purpose: StreamPurpose?,
        headers: ForwardedHeaders
    ) -> PublicConnectionDecision {
        let reached = Destination.home(route, purpose: purpose, host: host).reached
        let allows: (HTTPRequestHead) -> Bool = { [self] later in destination(of: later).reached == reached }
        var initialData = bytes
        let requestGuard: HTTPRequestGuard
        do {
            var sequence = try HTTPRequestSequence(first: head, allows: allows, writeHead: headers.write(head:into:))
            // The bytes read with the first head may already hold its body
            // and later requests.
            let firstHead = initialData.readSlice(length: head.headLength) ?? ByteBuffer()
            var first = ByteBuffer()
            headers.write(head: firstHead, into: &first)
            let output = sequence.feed(initialData)
            var rest = output.forward
            first.writeBuffer(&rest)
            initialData = first
            requestGuard = HTTPRequestGuard(sequence: sequence, stoppedBy: output.stop, headTimeout: Self.peekTimeout, onStop: { [refusals, logger] stop in
                switch stop {
                case .otherDestination: refusals.count(.otherDestination)
                case .malformed: refusals.count(.malformed)
                case .slowHead: refusals.count(.peekTimeout)
                }
                logger.info("public HTTP connection ends before a later request it may not carry",
                    metadata: ["host": "\(host)", "home": "\(route.home)", "reason": "\(stop)"])
            })
        } catch {
            return .refuse(.init(reason: .malformed, answer: .httpPage(.badRequest("\(error)"))))
        }
        let handOver = PublicHandOver(
            route: route, serverName: host, purpose: purpose, initialData: initialData,
            streamSetup: { try $0.addHandler(BadGatewayResponder()) })
        return .open(handOver, publicHandlers: [requestGuard])
    }
}
