import AgentRuntime
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The periodic cheap check of forwards' targets: every
/// `target_check_seconds` (default 30), one TCP connect with a short timeout
/// to each target that carried no successful connection in that time,
/// closed as soon as it opens. Real connections are checks already
/// (`ForwardDialer` records them), so a busy forward costs nothing here;
/// the check is for the quiet one whose service died at night. Only targets
/// from the home's own config are ever dialled.
struct TargetChecker: Sendable {
    /// Short: a local service answers a connect in well under a second.
    static let connectTimeout: TimeAmount = .seconds(2)
    /// How often a config with the checks off is looked at again (a reload may turn them on).
    static let idlePeriod: Duration = .seconds(30)

    let config: LiveConfig
    let board: StatusBoard
    let group: any EventLoopGroup
    let logger: Logger

    /// Checks now, then every period, until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            guard let interval = config.current.targetCheckInterval else {
                try? await Task.sleep(for: Self.idlePeriod)
                continue
            }
            await checkOnce(skippingReachedSince: Date().addingTimeInterval(-interval.seconds))
            try? await Task.sleep(for: interval)
        }
    }

    /// One round: every forward's target not reached since `since`, at once.
    func checkOnce(skippingReachedSince since: Date) async {
        let due = config.current.forwards.filter { !board.reachedRecently($0.name, since: since) }
        await withTaskGroup(of: Void.self) { tasks in
            for forward in due {
                tasks.addTask { await check(forward) }
            }
        }
    }

    private func check(_ forward: HomeConfig.Forward) async {
        let target = forward.target
        let outcome: StatusBoard.TargetOutcome
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(Self.connectTimeout)
                .connect(host: target.host, port: target.port).get()
            try? await channel.close()
            outcome = .reached
        } catch {
            outcome = .failed(reason: NetworkErrorText.describe(error))
        }
        guard board.record(outcome, forward: forward.name, target: target.description) else { return }
        switch outcome {
        case .reached:
            logger.notice("the forward's target answers again", metadata: [
                "forward": "\(forward.name)", "target": "\(target)",
            ])
        case .failed(let reason):
            // Logged when the target stops answering, not at every check.
            let name = HomeConfig.quoted(forward.name)
            logger.warning(
                "forward \(name) cannot reach its target \(target): \(reason); \("public connections to it are refused until it answers")",
                metadata: ["forward": "\(forward.name)", "target": "\(target)", "reason": "\(reason)"])
        }
    }
}
