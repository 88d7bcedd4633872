import Foundation
import Logging
import NIOCore
import Wire

/// The home's end of its requests to the edge (CONTROL messages), placed after the session handler:
/// it sends requests and routes FORWARDS_RESULT, DOMAIN_RESULT and
/// RENEW_RESPONSE back to whoever is waiting. Event loop only; `EdgeRequestClient` hops here.
///
/// Every request carries a `request_id` the edge echoes, and answers are
/// matched by it: an answer for a request that is no longer waiting (it timed
/// out, its answer was late or never came) is ignored, so it can never be
/// taken for another request's answer. Syncs go one at a time (each is the
/// complete list, so only the newest matters) and later ones wait their turn.
///
/// An edge that predates `request_id` in FORWARDS_RESULT leaves it out; its
/// answers are matched by order, as before: the answer of a sync that timed
/// out is counted in `staleSyncResults` and dropped when it comes.
final class EdgeRequestHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private struct PendingSync {
        var id: UInt32
        var declarations: [ForwardDeclaration]
        var promise: EventLoopPromise<[ForwardStatus]>
        var timer: Scheduled<Void>?
    }

    private struct PendingDomain {
        var promise: EventLoopPromise<DomainResult>
        var timer: Scheduled<Void>?

        func fail(_ error: EdgeRequestError) {
            timer?.cancel()
            promise.fail(error)
        }
    }

    private struct PendingRenewal {
        var promise: EventLoopPromise<RenewResponse>
        var timer: Scheduled<Void>?

        func fail(_ error: EdgeRequestError) {
            timer?.cancel()
            promise.fail(error)
        }
    }

    let eventLoop: EventLoop
    private let session: WireSession
    private let logger: Logger
    private var inFlightSync: PendingSync?
    private var waitingSyncs: [PendingSync] = []
    /// Answers still due to syncs that timed out, from an edge that does not
    /// echo `request_id` (only counted until one answer shows it does).
    private var staleSyncResults = 0
    private var edgeEchoesSyncIDs = false
    private var domainRequests: [UInt32: PendingDomain] = [:]
    private var renewals: [UInt32: PendingRenewal] = [:]
    private var nextRequestID: UInt32 = 0
    private var closed = false

    init(session: WireSession, logger: Logger) {
        self.session = session
        self.eventLoop = session.channel.eventLoop
        self.logger = logger
    }

    // MARK: Requests

    func syncForwards(_ declarations: [ForwardDeclaration], timeout: TimeAmount) -> EventLoopFuture<[ForwardStatus]> {
        let promise = eventLoop.makePromise(of: [ForwardStatus].self)
        guard !closed else {
            promise.fail(EdgeRequestError.sessionClosed)
            return promise.futureResult
        }
        let id = allocateRequestID()
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            self.syncTimedOut(id: id, after: timeout)
        }
        waitingSyncs.append(PendingSync(id: id, declarations: declarations, promise: promise, timer: timer))
        sendNextSync()
        return promise.futureResult
    }

    func domainRequest(_ action: DomainRequest.Action, _ domain: String, timeout: TimeAmount) -> EventLoopFuture<DomainResult> {
        let promise = eventLoop.makePromise(of: DomainResult.self)
        guard !closed else {
            promise.fail(EdgeRequestError.sessionClosed)
            return promise.futureResult
        }
        let id = allocateRequestID()
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            if let pending = self.domainRequests.removeValue(forKey: id) {
                pending.fail(.timedOut(.domainRequest, after: timeout))
            }
        }
        domainRequests[id] = PendingDomain(promise: promise, timer: timer)
        send(.domainRequest(DomainRequest(requestID: id, action: action, domain: domain))).whenFailure { error in
            if let pending = self.domainRequests.removeValue(forKey: id) { pending.fail(Self.sendFailure(error)) }
        }
        return promise.futureResult
    }

    /// Asks for a certificate for the key in `csr` ([CERT-2]). The answer,
    /// certificate or refusal, is returned as the edge sent it; the caller
    /// checks it.
    func renewCertificate(csr: String, timeout: TimeAmount) -> EventLoopFuture<RenewResponse> {
        let promise = eventLoop.makePromise(of: RenewResponse.self)
        guard !closed else {
            promise.fail(EdgeRequestError.sessionClosed)
            return promise.futureResult
        }
        let id = allocateRequestID()
        let timer = eventLoop.assumeIsolated().scheduleTask(in: timeout) {
            if let pending = self.renewals.removeValue(forKey: id) {
                pending.fail(.timedOut(.renewRequest, after: timeout))
            }
        }
        renewals[id] = PendingRenewal(promise: promise, timer: timer)
        send(.renewRequest(RenewRequest(requestID: id, csr: csr))).whenFailure { error in
            if let pending = self.renewals.removeValue(forKey: id) { pending.fail(Self.sendFailure(error)) }
        }
        return promise.futureResult
    }

    private func sendNextSync() {
        guard inFlightSync == nil, !waitingSyncs.isEmpty else { return }
        let sync = waitingSyncs.removeFirst()
        inFlightSync = sync
        send(.forwardsSync(ForwardsSync(requestID: sync.id, forwards: sync.declarations))).whenFailure { error in
            // Never on the wire, so no answer will come for it.
            guard self.inFlightSync?.id == sync.id else { return }
            self.inFlightSync = nil
            sync.timer?.cancel()
            sync.promise.fail(Self.sendFailure(error))
            self.sendNextSync()
        }
    }

    private func syncTimedOut(id: UInt32, after timeout: TimeAmount) {
        let error = EdgeRequestError.timedOut(.forwardsSync, after: timeout)
        if let sync = inFlightSync, sync.id == id {
            inFlightSync = nil
            if !edgeEchoesSyncIDs { staleSyncResults += 1 }
            sync.promise.fail(error)
            sendNextSync()
        } else if let index = waitingSyncs.firstIndex(where: { $0.id == id }) {
            waitingSyncs.remove(at: index).promise.fail(error)
        }
    }

    /// Sends once HELLO is done; requests may be made right after connecting.
    /// A message too big for one frame of the edge's size fails here with
    /// ``EdgeRequestError/tooLarge(_:bytes:limit:)``: sent, it would be a
    /// connection error FRAME_SIZE_ERROR at the edge ([CONTROL-1]) and cost
    /// the session.
    private func send(_ message: ControlMessage) -> EventLoopFuture<Void>.Isolated {
        let session = self.session
        return session.ready.flatMap { peer in
            let body = message.encodedBody()
            let bytes = 2 + body.readableBytes
            guard bytes <= peer.maxFrameSize else {
                return session.channel.eventLoop.makeFailedFuture(
                    EdgeRequestError.tooLarge(message.kind, bytes: bytes, limit: peer.maxFrameSize))
            }
            return session.sendControl(kind: message.kind.rawValue, body: body)
        }.hop(to: eventLoop).assumeIsolated()
    }

    /// The error a failed send reports to the request's caller.
    private static func sendFailure(_ error: any Error) -> EdgeRequestError {
        error as? EdgeRequestError ?? .sessionClosed
    }

    /// Ids wrap and skip 0, which the edge uses when it could not read ours,
    /// and any id still waiting for its answer. Syncs and domain requests
    /// share one sequence.
    private func allocateRequestID() -> UInt32 {
        repeat { nextRequestID &+= 1 } while nextRequestID == 0 || isWaiting(nextRequestID)
        return nextRequestID
    }

    private func isWaiting(_ id: UInt32) -> Bool {
        domainRequests[id] != nil || renewals[id] != nil || inFlightSync?.id == id || waitingSyncs.contains { $0.id == id }
    }

    // MARK: Answers

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard case SessionEvent.control(let rawKind, let body) = event else {
            return context.fireUserInboundEventTriggered(event)
        }
        switch ControlKind(rawValue: rawKind) {
        case .forwardsResult: receiveForwardsResult(body)
        case .domainResult: receiveDomainResult(body)
        case .renewResponse: receiveRenewResponse(body)
        default: context.fireUserInboundEventTriggered(event)
        }
    }

    private func receiveForwardsResult(_ body: ByteBuffer) {
        let decoded: Result<ForwardsResult, EdgeRequestError>
        do {
            if case .forwardsResult(let result)? = try ControlMessage.decode(kind: .forwardsResult, body: body) {
                decoded = .success(result)
            } else {
                decoded = .failure(.unexpectedResponse("a FORWARDS_RESULT that decodes as another kind"))
            }
        } catch {
            decoded = .failure(.unexpectedResponse("\(error)"))
        }
        let sync: PendingSync
        if case .success(let result) = decoded, let id = result.requestID {
            edgeEchoesSyncIDs = true
            staleSyncResults = 0
            guard let current = inFlightSync, current.id == id else {
                return logger.debug("ignoring the FORWARDS_RESULT of sync \(id), which is no longer waiting")
            }
            sync = current
        } else {
            // No id to match by (an edge that predates it, or an answer we
            // cannot read): by order.
            if staleSyncResults > 0 {
                staleSyncResults -= 1
                return logger.debug("dropping the FORWARDS_RESULT of a sync that timed out")
            }
            guard let current = inFlightSync else {
                return logger.notice("FORWARDS_RESULT without a sync in flight; ignoring it")
            }
            sync = current
        }
        inFlightSync = nil
        sync.timer?.cancel()
        defer { sendNextSync() }
        switch decoded {
        case .failure(let error):
            sync.promise.fail(error)
        case .success(let result):
            if let error = result.error { return sync.promise.fail(EdgeRequestError.refused(error)) }
            guard result.forwards.count == sync.declarations.count else {
                return sync.promise.fail(EdgeRequestError.unexpectedResponse(
                    "FORWARDS_RESULT does not list one status per declared forward"))
            }
            sync.promise.succeed(result.forwards)
        }
    }

    private func receiveDomainResult(_ body: ByteBuffer) {
        guard case .domainResult(let result)? = try? ControlMessage.decode(kind: .domainResult, body: body) else {
            return logger.notice("undecodable DOMAIN_RESULT; its request will time out")
        }
        guard let pending = domainRequests.removeValue(forKey: result.requestID) else {
            return logger.notice("DOMAIN_RESULT for unknown request \(result.requestID); ignoring it")
        }
        pending.timer?.cancel()
        if let error = result.error {
            pending.promise.fail(EdgeRequestError.refused(error))
        } else {
            pending.promise.succeed(result)
        }
    }

    private func receiveRenewResponse(_ body: ByteBuffer) {
        guard case .renewResponse(let response)? = try? ControlMessage.decode(kind: .renewResponse, body: body) else {
            return logger.notice("undecodable RENEW_RESPONSE; its request will time out")
        }
        guard let pending = renewals.removeValue(forKey: response.requestID) else {
            return logger.notice("RENEW_RESPONSE for unknown request \(response.requestID); ignoring it")
        }
        pending.timer?.cancel()
        pending.promise.succeed(response)
    }

    // MARK: Session end

    func channelInactive(context: ChannelHandlerContext) {
        failEverything()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        failEverything()
    }

    private func failEverything() {
        closed = true
        let syncs = (inFlightSync.map { [$0] } ?? []) + waitingSyncs
        inFlightSync = nil
        waitingSyncs = []
        for sync in syncs {
            sync.timer?.cancel()
            sync.promise.fail(EdgeRequestError.sessionClosed)
        }
        let domains = domainRequests.values
        domainRequests = [:]
        for pending in domains {
            pending.fail(EdgeRequestError.sessionClosed)
        }
        let renewing = renewals.values
        renewals = [:]
        for pending in renewing {
            pending.fail(EdgeRequestError.sessionClosed)
        }
    }
}
