import ServiceLifecycle

/// Renews the home certificate over the live session when it is due
/// (`HomeAgentRunner.renewWhenDue`); stops when the group shuts down.
struct HomeRenewalService: Service {
    let runner: HomeAgentRunner

    func run() async throws {
        try? await cancelWhenGracefulShutdown { await runner.renewWhenDue() }
    }
}
