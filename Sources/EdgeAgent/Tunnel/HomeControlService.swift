import AgentRuntime
import Foundation
import Logging
import NIOCore
import Wire

/// Answers the control requests of one admitted home: forward syncs, domain
/// claims and certificate renewals, against the registry. Everything the home sends is peer
/// input, so every path ends in an answer, never a throw or a crash.
struct HomeControlService: Sendable {
    let home: String
    let registry: Registry
    let addresses: EdgePublicAddresses
    let now: @Sendable () -> Date
    let logger: Logger
    /// Issues renewed certificates ([CERT-2]).
    let renewal: CertificateRenewalService
    /// Called after a sync was stored, so the public listeners route by it
    /// at once; returns the routed TCP ports they could not open.
    var routesChanged: @Sendable () async -> Set<Int> = { [] }
    /// Checks DNS proof before a claim ([PROOF-1]); nil when the edge runs
    /// with `--domain-verification none`.
    var domainVerifier: DomainVerifier?

    /// How often one sync moves forwards off ports the edge cannot open
    /// before it reports them as they are.
    static let maximumPortMoves = 3

    /// The reply to a FORWARDS_SYNC, DOMAIN_REQUEST or RENEW_REQUEST body; nil for other kinds.
    func reply(to kind: ControlKind, body: ByteBuffer) async -> ControlReply? {
        let message: ControlMessage?
        do {
            message = try ControlMessage.decode(kind: kind, body: body)
        } catch {
            logger.notice("malformed control request", metadata: ["control.kind": "\(kind)", "reason": .reason(error)])
            return await malformedReply(kind: kind, body: body, error: error)
        }
        switch message {
        case .forwardsSync(let sync):
            var result = await syncForwards(sync.forwards)
            result.requestID = sync.requestID  // echoed so the home can match it (FORWARDS_RESULT)
            return ControlReply(.forwardsResult(result))
        case .domainRequest(let request): return ControlReply(.domainResult(await domainRequest(request)))
        case .renewRequest(let request): return ControlReply(.renewResponse(await renewal.renew(request, now: now())))
        default: return nil
        }
    }

    /// Makes the registry match the home's list and reports each forward's
    /// public address or error, in declaration order.
    func syncForwards(_ declarations: [ForwardDeclaration]) async -> ForwardsResult {
        do {
            var results = try await registry.syncForwards(
                home: home, declarations: declarations, tcpPortRange: addresses.tcpPortRange, now: now(),
                actor: .home(home))
            // A port another program holds on the edge cannot serve a forward:
            // move the forward rather than report an address nobody answers.
            var unavailable: Set<Int> = []
            var moves = 0
            while true {
                let unopened = await routesChanged()
                let blocked = unopened.intersection(results.compactMap(\.acceptedPort))
                guard !blocked.isEmpty, moves < Self.maximumPortMoves else { break }
                moves += 1
                logger.warning("moving forwards off TCP ports in use on the edge", metadata: ["ports": "\(blocked.sorted())"])
                unavailable.formUnion(unopened)
                results = try await registry.syncForwards(
                    home: home, declarations: declarations, tcpPortRange: addresses.tcpPortRange,
                    unavailablePorts: unavailable, now: now(), actor: .home(home))
            }
            let statuses = results.map(status)
            let rejected = statuses.filter { $0.error != nil }.count
            logger.info("forwards synced", metadata: ["forwards": .stringConvertible(statuses.count), "forwards.rejected": "\(rejected)"])
            return ForwardsResult(forwards: statuses)
        } catch {
            // The whole sync failed (storage, home deleted meanwhile): every
            // forward carries the reason, so the answer still has one entry each.
            logger.error("forward sync failed", metadata: ["reason": .reason(error)])
            return ForwardsResult(forwards: declarations.map { ForwardStatus(name: $0.name, error: error.controlError) })
        }
    }

    /// Claims or releases a domain and reports the home's domains afterwards
    /// (`list` only reports them).
    func domainRequest(_ request: DomainRequest) async -> DomainResult {
        if request.action == .add, let verifier = domainVerifier,
            let refusal = await verifier.refusal(claiming: request.domain, by: home, registry: registry) {
            logger.notice(
                "domain add refused: no proof of ownership",
                metadata: ["domain": "\(request.domain.prefix(80))", "reason": "\(refusal.code)"])
            return DomainResult(
                requestID: request.requestID, domains: await domainNames(),
                error: ControlError(code: refusal.code, message: refusal.message),
                verification: DomainVerificationRecord(name: refusal.proof.recordName, value: refusal.proof.value))
        }
        var failure: RegistryError?
        do {
            switch request.action {
            case .add: try await registry.claimDomain(request.domain, home: home, now: now(), actor: .home(home))
            case .remove: try await registry.releaseDomain(request.domain, home: home, now: now(), actor: .home(home))
            case .list: break
            }
            if request.action != .list {
                logger.info("domain \(request.action.rawValue)", metadata: ["domain": "\(request.domain.prefix(80))"])
            }
        } catch {
            failure = error
            logger.notice(
                "domain \(request.action.rawValue) refused",
                metadata: ["domain": "\(request.domain.prefix(80))", "reason": .reason(error)])
        }
        return DomainResult(requestID: request.requestID, domains: await domainNames(), error: failure?.controlError)
    }

    private func status(_ result: ForwardSyncResult) -> ForwardStatus {
        switch result {
        case .accepted(let forward): ForwardStatus(name: forward.name, publicAddress: addresses.address(of: forward))
        case .rejected(let name, let error): ForwardStatus(name: name, error: error.controlError)
        }
    }

    private func domainNames() async -> [String] {
        (try? await registry.domains(of: home).map(\.name)) ?? []
    }

    private func malformedReply(kind: ControlKind, body: ByteBuffer, error: ControlMessageError) async -> ControlReply? {
        let controlError = ControlError(code: "malformed", message: "The \(kind) body is not valid: \(Self.clip(error))")
        switch kind {
        case .forwardsSync:
            let requestID = ControlReply.lenientRequestID(in: body)
            return ControlReply(.forwardsResult(ForwardsResult(requestID: requestID, forwards: [], error: controlError)))
        case .domainRequest:
            let requestID = ControlReply.lenientRequestID(in: body) ?? 0
            return ControlReply(.domainResult(DomainResult(requestID: requestID, domains: await domainNames(), error: controlError)))
        case .renewRequest:
            let requestID = ControlReply.lenientRequestID(in: body) ?? 0
            return ControlReply(.renewResponse(RenewResponse(requestID: requestID, error: controlError)))
        default:
            return nil
        }
    }

    /// Decoder errors can quote much of the input; keep the answer short.
    private static func clip(_ error: ControlMessageError) -> String {
        let text = "\(error)"
        return text.count <= 300 ? text : String(text.prefix(299)) + "…"
    }
}
