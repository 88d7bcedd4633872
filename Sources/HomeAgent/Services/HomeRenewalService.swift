import ServiceLifecycle

/// Renews the home certificate over the live session when it is due
/// (`HomeAgentRunner.renewWhenDue`); stops when the group shuts down.
struct HomeRenewalService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "certificate renewal" }

    let runner: HomeAgentRunner

    func run() async throws {
        await cancelWhenGracefulShutdown { await runner.renewWhenDue() }
    }
}
