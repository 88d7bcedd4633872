import ServiceLifecycle

/// Runs `TargetChecker` for as long as the agent runs; it stops first on
/// shutdown, as it only feeds `homeagent status`.
struct TargetCheckService: Service, CustomStringConvertible {
    /// How the service group names it in its log lines.
    var description: String { "target checks" }

    let checker: TargetChecker

    func run() async throws {
        await cancelWhenGracefulShutdown { await checker.run() }
    }
}
