import Logging
import NIOCore
import Wire

/// The home's requests to the edge, sent as the wire's CONTROL messages over
/// its session ([CTRL-1]): syncing its forwards, claiming or releasing base
/// domains, renewing its certificate. (Not to be confused with the wire's
/// CONTROL frame codec in Wire, which carries them, nor with the agent's
/// local ``AdminSocketServer``.) Safe to use from any task; every call
/// hops onto the connection's event loop, where `EdgeRequestHandler`
/// keeps the requests in flight.
struct EdgeRequestClient: Sendable {
    private let handler: NIOLoopBound<EdgeRequestHandler>
    /// How long each request waits for the edge's answer.
    var timeout: TimeAmount

    /// Adds the response handler after the session handler (call it from the
    /// channel initializer, on the event loop) and returns a client for it.
    static func install(
        on pipeline: ChannelPipeline.SynchronousOperations, session: WireSession, timeout: TimeAmount = .seconds(10),
        logger: Logger = Logger(label: "portico.home.control")
    ) throws -> EdgeRequestClient {
        let handler = EdgeRequestHandler(session: session, logger: logger)
        try pipeline.addHandler(handler)
        return EdgeRequestClient(handler: NIOLoopBound(handler, eventLoop: handler.eventLoop), timeout: timeout)
    }

    /// The same, for a session that is already running: nothing is lost by
    /// adding the handler late, since answers only follow our own requests.
    static func attach(
        to session: WireSession, timeout: TimeAmount = .seconds(10),
        logger: Logger = Logger(label: "portico.home.control")
    ) async throws -> EdgeRequestClient {
        let channel = session.channel
        return try await channel.eventLoop.submit {
            try install(on: channel.pipeline.syncOperations, session: session, timeout: timeout, logger: logger)
        }.get()
    }

    /// Declares the home's complete forward list; the edge answers with one
    /// status per forward, in order. Forwards the edge rejected carry their
    /// error in the status; only a failure of the whole request throws.
    func syncForwards(_ forwards: [HomeConfig.Forward]) async throws(EdgeRequestError) -> [ForwardStatus] {
        try await syncForwards(declarations: forwards.map(\.declaration))
    }

    /// `syncForwards` with ready-made declarations.
    func syncForwards(declarations: [ForwardDeclaration]) async throws(EdgeRequestError) -> [ForwardStatus] {
        let timeout = self.timeout
        return try await onLoop { $0.syncForwards(declarations, timeout: timeout) }
    }

    /// Claims a base domain; returns the home's domains afterwards.
    func addDomain(_ domain: String) async throws(EdgeRequestError) -> DomainResult {
        let timeout = self.timeout
        return try await onLoop { $0.domainRequest(.add, domain, timeout: timeout) }
    }

    /// Releases a base domain; the edge refuses while forwards use it.
    func removeDomain(_ domain: String) async throws(EdgeRequestError) -> DomainResult {
        let timeout = self.timeout
        return try await onLoop { $0.domainRequest(.remove, domain, timeout: timeout) }
    }

    /// The home's base domains, as the edge has them.
    func listDomains() async throws(EdgeRequestError) -> DomainResult {
        let timeout = self.timeout
        return try await onLoop { $0.domainRequest(.list, "", timeout: timeout) }
    }

    /// Sends RENEW_REQUEST for the key in `csr` (PEM) and returns the edge's
    /// answer as it came ([CERT-2]); ``CertificateRenewal`` checks it.
    func renewCertificate(csr: String) async throws(EdgeRequestError) -> RenewResponse {
        let timeout = self.timeout
        return try await onLoop { $0.renewCertificate(csr: csr, timeout: timeout) }
    }

    private func onLoop<T: Sendable>(
        _ body: @escaping @Sendable (EdgeRequestHandler) -> EventLoopFuture<T>
    ) async throws(EdgeRequestError) -> T {
        let handler = self.handler
        do {
            return try await handler.eventLoop.flatSubmit { body(handler.value) }.get()
        } catch let error as EdgeRequestError {
            throw error
        } catch {
            throw .sessionClosed
        }
    }
}
