import AgentRuntime
import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle

/// `homeagent http` / `tcp`: one forward for as long as the command runs,
/// never written to the config file.
///
/// There is one session per home (a second one would take the first's over
/// at the edge), so the command never opens its own next to a running
/// agent. When `homeagent run` is running for the config, the command asks
/// it over the control socket to hold a temporary forward for as long as
/// that connection lives: Ctrl-C, a kill, or the command's end in any way
/// closes it, and the agent removes the forward and tells the edge. When no
/// agent runs, the command is the agent: it runs the session in the
/// foreground with the config's forwards plus the temporary one, and stops
/// (removing the temporary one from the edge first) on Ctrl-C.
struct AdHocSession {
    static let discussion = """
        Prints the public address and forwards to the local service for as long as \
        the command runs; Ctrl-C (or SIGTERM) stops it and the edge stops routing the \
        address. The config file is never changed: use `homeagent expose` for a \
        forward that stays.

        When `homeagent run` is running for this config, the forward is added to that \
        agent through its control socket and lives exactly as long as this command \
        (even when it is killed). Otherwise this command connects to the edge itself, \
        in the foreground, serving the config's forwards too until it stops (one \
        session per home: `homeagent run` cannot start meanwhile). The home must have \
        joined an edge first (`homeagent join TOKEN`).
        """

    let configPath: String
    let forward: HomeConfig.Forward
    let logging: LoggingOptions

    func run() async throws {
        let config = try AgentLaunch.loadConfig(path: configPath)
        if config.forward(named: forward.name) != nil {
            throw RunningAgentError(message:
                "the config already has a forward named \"\(forward.name)\"; choose another name with --name")
        }
        let socket = AdminSocketCoding.socketPath(forConfig: configPath)
        let held: HeldForwardConnection
        do {
            held = try await HeldForwardConnection.open(forward, path: socket, group: AgentProcess.eventLoopGroup)
        } catch is HeldForwardConnection.NoAgent {
            return try await runInForeground(config)
        }
        try await hold(held)
    }

    /// The running agent holds the forward while `held` stays open.
    private func hold(_ held: HeldForwardConnection) async throws {
        guard held.reply.ok, let state = held.reply.forward, let address = state.publicAddress else {
            try? await held.channel.close()
            throw RunningAgentError(message: held.reply.error ?? "the running homeagent did not add the forward")
        }
        announce(address, note: "through the homeagent already running for \(configPath); Ctrl-C removes it")
        let outcome = HeldOutcome()
        // The service ends on its own when the agent goes away: that ends
        // the group as a shutdown does, not as a failure.
        let service = ServiceGroupConfiguration.ServiceConfiguration(
            service: HeldForwardService(connection: held, outcome: outcome),
            successTerminationBehavior: .gracefullyShutdownGroup)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint],
            logger: Logger(label: "portico.home", factory: { _ in SwiftLogNoOpLogHandler() })))
        try await group.run()
        if outcome.agentStopped {
            throw RunningAgentError(message:
                "the homeagent running for \(configPath) stopped; the forward \(address) ended with it")
        }
        print("stopped; \(address) no longer forwards to \(forward.target)")
    }

    /// No agent runs: this process is the agent until Ctrl-C.
    private func runInForeground(_ config: HomeConfig) async throws {
        let launch = try AgentLaunch.prepare(config: config, configPath: configPath)
        AgentLogging.bootstrap(logging, defaultFormat: config.effectiveLogFormat == .json ? .json : .text)
        var logger = Logger(label: "portico.home")
        logger[metadataKey: "home.name"] = "\(config.home)"
        let home = try await HomeServices.build(
            config: config, configPath: configPath, temporary: [forward], group: AgentProcess.eventLoopGroup,
            logger: logger)
        if let recovered = launch.recovered { logger.notice("\(recovered)") }
        let services = home.serviceGroup(signals: .handled)
        let others = config.forwards.count
        let outcome = try await withThrowingTaskGroup(of: Placement?.self) { tasks in
            tasks.addTask {
                try await services.run()
                return nil
            }
            tasks.addTask {
                let placement = await Self.placement(of: forward.name, on: home.runner.board)
                switch placement {
                case .placed(let address):
                    let plural = others == 1 ? "" : "s"
                    let also = others == 0 ? "" : ", serving the config's \(others) other forward\(plural) too"
                    announce(address, note:
                        "no homeagent was running for \(configPath): this command is its agent\(also); Ctrl-C stops it")
                case .refused:
                    await services.triggerGracefulShutdown()
                case .stopped:
                    break
                }
                return placement
            }
            var outcome = Placement.stopped
            while let result = try await tasks.next() {
                // The services ended (Ctrl-C) before the forward was placed:
                // the watch for its placement ends with them.
                guard let placement = result else {
                    tasks.cancelAll()
                    continue
                }
                outcome = placement
            }
            return outcome
        }
        withExtendedLifetime(launch.lock) {}
        switch outcome {
        case .refused(let message): throw RunningAgentError(message: message)
        case .placed: print("stopped; the forward \(forward.name) is gone from the edge")
        case .stopped: print("stopped before the edge placed the forward \(forward.name): nothing was published (see the log above)")
        }
    }

    private func announce(_ address: String, note: String) {
        print("Forwarding \(address) → \(forward.target)")
        print("(\(note))")
        fflush(nil)
    }

    enum Placement {
        case placed(String)
        case refused(String)
        case stopped
    }

    /// Waits until the edge placed or refused the forward, or the agent stops.
    private static func placement(of name: String, on board: StatusBoard) async -> Placement {
        while !Task.isCancelled {
            let status = board.current
            if status.state == .draining { return .stopped }
            if status.state == .refused { return .refused(status.lastError ?? "the edge refused this home") }
            if let forward = status.forwards.first(where: { $0.name == name }) {
                if let error = forward.error {
                    return .refused("the edge refused the forward: \(error.message) (\(error.code))")
                }
                if let address = forward.publicAddress { return .placed(address) }
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return .stopped
    }
}
