import AgentRuntime
import ServiceLifecycle
import Wire

/// Turns SIGHUP into a config reload (`HomeAgentRunner.reload`: a config
/// that does not load is refused and the running one kept; a new edge or
/// identity reconnects; otherwise the forwards are synced on the live
/// session), one at a time, until the group shuts down.
struct HomeReloadService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "reload on SIGHUP" }

    let hangup: HangupSignal
    let runner: HomeAgentRunner

    func run() async throws {
        for await _ in hangup.events.cancelOnGracefulShutdown() {
            _ = await runner.reload()
        }
        hangup.stop()
    }
}
