import AgentRuntime
import ServiceLifecycle
import Wire

/// Turns SIGHUP into `EdgeServices.reload()`, one reload at a time, until the
/// group shuts down. The signal is trapped before the group starts (see
/// `EdgeServices.serviceGroup`), so a SIGHUP right after "edge ready" never
/// meets the default action, which would end the process.
struct EdgeReloadService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "reload on SIGHUP" }

    let hangup: HangupSignal
    let edge: EdgeServices

    func run() async throws {
        for await _ in hangup.events.cancelOnGracefulShutdown() {
            await edge.reload()
        }
        hangup.stop()
    }
}
