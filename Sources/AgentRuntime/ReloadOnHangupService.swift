import ServiceLifecycle

/// Turns SIGHUP into the agent's reload, one reload at a time, until the
/// group shuts down. Both agents run one; what a reload does is theirs
/// (`EdgeServices.reload`, `HomeAgentRunner.reload`). The signal is trapped
/// when the `HangupSignal` is made, before the group starts, so a SIGHUP
/// right after the agent announced itself never meets the default action,
/// which would end the process.
public struct ReloadOnHangupService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    public var description: String { "reload on SIGHUP" }

    private let hangup: HangupSignal
    private let reload: @Sendable () async -> Void

    public init(hangup: HangupSignal = HangupSignal(), reload: @escaping @Sendable () async -> Void) {
        self.hangup = hangup
        self.reload = reload
    }

    public func run() async throws {
        for await _ in hangup.events.cancelOnGracefulShutdown() {
            await reload()
        }
        hangup.stop()
    }
}
