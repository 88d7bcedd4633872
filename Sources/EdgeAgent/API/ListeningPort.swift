import Synchronization

/// The port a server bound, told once to everyone who waits for it: the
/// first outcome (bound, or why not) wins and later ones are ignored, so the
/// server can report "ended before listening" unconditionally when it stops.
final class ListeningPort: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Int, any Error>])
        case done(Result<Int, any Error>)
    }

    private let state = Mutex(State.waiting([]))

    func succeed(_ port: Int) {
        complete(.success(port))
    }

    func fail(_ error: any Error) {
        complete(.failure(error))
    }

    /// Waits for the outcome.
    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let outcome: Result<Int, any Error>? = state.withLock { state in
                switch state {
                case .waiting(var waiters):
                    waiters.append(continuation)
                    state = .waiting(waiters)
                    return nil
                case .done(let result):
                    return result
                }
            }
            if let outcome { continuation.resume(with: outcome) }
        }
    }

    private func complete(_ result: Result<Int, any Error>) {
        let waiters: [CheckedContinuation<Int, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .done(result)
            return waiters
        }
        for waiter in waiters { waiter.resume(with: result) }
    }
}
