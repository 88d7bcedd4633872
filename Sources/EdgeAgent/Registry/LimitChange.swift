/// One field of a partial update: keep what is stored, or replace it (nil
/// meaning "no limit"). Applied inside the registry's transaction.
enum LimitChange: Sendable, Equatable {
    case unchanged
    case to(Int?)

    func applied(to current: Int?) -> Int? {
        switch self {
        case .unchanged: current
        case .to(let value): value
        }
    }
}
