import ServiceLifecycle
import Synchronization

/// Whether the held forward ended because the agent went away.
final class HeldOutcome: Sendable {
    private let stopped = Mutex(false)
    var agentStopped: Bool { stopped.withLock { $0 } }
    func markAgentStopped() { stopped.withLock { $0 = true } }
}

/// Keeps a temporary forward held by a running agent until SIGINT/SIGTERM
/// (then gives it back and waits for the agent to confirm) or until the
/// agent closes the connection (it stopped).
struct HeldForwardService: Service {
    let connection: HeldForwardConnection
    let outcome: HeldOutcome

    func run() async throws {
        let agentClosed = await withTaskGroup(of: Bool.self) { tasks in
            tasks.addTask {
                try? await gracefulShutdown()
                return false
            }
            tasks.addTask {
                try? await connection.channel.closeFuture.get()
                return true
            }
            let agentClosed = await tasks.next() ?? false
            if agentClosed {
                tasks.cancelAll()
            } else {
                // Also what ends the task waiting for the close.
                await connection.release()
            }
            return agentClosed
        }
        if agentClosed { outcome.markAgentStopped() }
    }
}
