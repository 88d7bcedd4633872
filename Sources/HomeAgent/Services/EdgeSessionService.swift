import ServiceLifecycle

/// The session dialer: keeps one session to the edge up, reconnecting with
/// backoff (`HomeAgentRunner.run`); the forward dialer serves its streams.
/// On graceful shutdown it drains (no more reconnects; GOAWAY; streams in
/// flight get the config's drain timeout) and ends when the session closed.
/// Cancelled instead, it closes the session at once.
struct EdgeSessionService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "edge session" }

    let runner: HomeAgentRunner

    func run() async throws {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await runner.run() }
            group.addTask {
                let graceful = (try? await gracefulShutdown()) != nil
                await runner.drain(timeout: graceful ? runner.live.current.drainTimeout : .zero)
            }
            await group.waitForAll()
        }
    }
}
