import Foundation

extension StatusBoard {
    /// What a dial or a check of a forward's target found.
    enum TargetOutcome {
        case reached
        case failed(reason: String)
    }

    /// Records `outcome` for the forward called `forward` while it still
    /// dials `target` (a reload may have changed it meanwhile). Returns
    /// whether the target's state changed, so callers log transitions only.
    @discardableResult
    func record(_ outcome: TargetOutcome, forward: String, target: String, at now: Date = Date()) -> Bool {
        var changed = false
        update { status in
            guard let index = status.forwards.firstIndex(where: { $0.name == forward && $0.target == target }) else {
                return
            }
            var health = status.forwards[index].targetHealth ?? TargetHealth()
            switch outcome {
            case .reached: changed = health.succeeded(at: now)
            case .failed(let reason): changed = health.failed(reason: reason, at: now)
            }
            status.forwards[index].targetHealth = health
        }
        return changed
    }

    /// Whether a dial or check reached `forward`'s target since `since`:
    /// the periodic check skips such a target, its traffic already says so.
    func reachedRecently(_ forward: String, since: Date) -> Bool {
        current.forwards.first { $0.name == forward }?.targetHealth?.lastSuccess.map { $0 >= since } ?? false
    }
}
