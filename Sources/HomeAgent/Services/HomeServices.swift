import AgentRuntime
import Logging
import NIOCore
import ServiceLifecycle
import Wire

/// One home agent, built from its config by `build`, the only place that
/// assembles `homeagent run`'s parts, and run by `serviceGroup` as
/// `Service`s of one group that owns signals and the shutdown order.
///
/// The config file is the agent's configuration value: `build` takes it as
/// loaded (the command refuses to start on a config or credentials that do
/// not load), and SIGHUP or a request on the control socket replaces it live
/// (`HomeAgentRunner.reload`).
struct HomeServices: Sendable {
    let runner: HomeAgentRunner
    let control: AdminSocketServer
    let group: any EventLoopGroup
    let logger: Logger

    /// Creates the runner and binds the control socket next to the config
    /// (failing if another agent answers on it). Nothing dials the edge
    /// until the group runs. `temporary` forwards are served too but never
    /// saved (`homeagent http` / `tcp` in the foreground).
    static func build(
        config: HomeConfig, configPath: String, temporary: [HomeConfig.Forward] = [],
        sessionConfiguration: SessionConfiguration = SessionConfiguration(), group: any EventLoopGroup, logger: Logger
    ) async throws -> HomeServices {
        let runner = HomeAgentRunner(
            config: config, configPath: configPath, temporary: temporary, sessionConfiguration: sessionConfiguration,
            group: group, logger: logger)
        let control = try await AdminSocketServer.bind(
            path: AdminSocketCoding.socketPath(forConfig: configPath), runner: runner, group: group, logger: logger)
        return HomeServices(runner: runner, control: control, group: group, logger: logger)
    }

    /// Whether the group answers the process's signals (the executable) or
    /// is shut down by its caller (tests).
    enum Signals {
        /// SIGTERM and SIGINT drain and stop; SIGHUP reloads the config.
        case handled
        case ignored
    }

    /// The agent's services in start order; the group shuts them down in
    /// reverse, so from the bottom up:
    ///
    /// 1. reloads stop, and the target checks;
    /// 2. the session drains: no more reconnects, GOAWAY to the edge, the
    ///    streams in flight get the config's `drain_timeout_seconds` (a
    ///    second SIGTERM or SIGINT ends the session at once);
    /// 3. certificate renewal stops;
    /// 4. the control socket closes, last, so `homeagent status` shows
    ///    "draining" for as long as the drain lasts.
    func serviceGroup(signals: Signals) -> ServiceGroup {
        var services: [any Service] = [
            AdminSocketService(server: control),
            HomeRenewalService(runner: runner),
            EdgeSessionService(runner: runner, cutOnSecondSignal: signals == .handled),
            TargetCheckService(checker: TargetChecker(config: runner.live, board: runner.board, group: group, logger: logger)),
        ]
        if signals == .handled {
            services.append(ReloadOnHangupService { [runner] in _ = await runner.reload() })
        }
        var group = ServiceGroupConfiguration(
            services: services.map { ServiceGroupConfiguration.ServiceConfiguration(service: $0) },
            gracefulShutdownSignals: signals == .handled ? [.sigterm, .sigint] : [],
            logger: logger)
        // The drain timeout can change on reload; the bound is read when the group is made.
        group.maximumGracefulShutdownDuration = runner.live.current.drainTimeout + .seconds(5)
        group.maximumCancellationDuration = .seconds(5)
        return ServiceGroup(configuration: group)
    }
}
