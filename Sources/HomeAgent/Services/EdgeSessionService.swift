import AgentRuntime
import ServiceLifecycle

/// The session dialer: keeps one session to the edge up, reconnecting with
/// backoff (`HomeAgentRunner.run`); the forward dialer serves its streams.
/// On graceful shutdown it drains (no more reconnects; GOAWAY; streams in
/// flight get the config's drain timeout, unless another SIGTERM or SIGINT
/// ends the session first) and ends when the session closed.
/// Cancelled instead, it closes the session at once.
struct EdgeSessionService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "edge session" }

    let runner: HomeAgentRunner
    /// Whether another SIGTERM or SIGINT during the drain cuts it short
    /// (the executable; not tests that share the process's signals).
    let cutOnSecondSignal: Bool

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run() }
            group.addTask {
                let graceful = (try? await gracefulShutdown()) != nil
                let timeout = graceful ? runner.live.current.drainTimeout : .zero
                await DrainCut.drain(listening: cutOnSecondSignal && graceful, logger: runner.logger) {
                    await runner.drain(timeout: timeout)
                } cut: {
                    await runner.endSession()
                }
            }
            await group.waitForAll()
        }
    }
}
