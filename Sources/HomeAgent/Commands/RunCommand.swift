import AgentRuntime
import ArgumentParser
import Foundation
import Logging
import NIOPosix
import Wire

/// `homeagent run`: the home agent as a service.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Connect to the edge and serve this home's forwards until stopped.",
        discussion: """
            Dials the edge named in the config over mutual TLS, declares the forwards \
            and serves every connection the edge sends, dialling only the forward's \
            configured target. Reconnects forever (exponential backoff with full jitter, \
            0.5 s to 30 s; at once after a graceful GOAWAY) and notices a dead edge \
            within 15 s. A home the edge refuses (deleted or disabled) retries from \
            about a minute up to once an hour; one whose key another agent uses \
            (GOAWAY SESSION_REPLACED), or whose sessions the edge ends with an error \
            (GOAWAY PROTOCOL_ERROR, FRAME_SIZE_ERROR, ...), from 1 s up to 5 minutes; \
            `homeagent status` shows why.

            SIGHUP (or `homeagent expose/unexpose/sync`) reloads the config and syncs; \
            a config that does not load is refused and the running one kept. SIGTERM \
            or SIGINT drains: the edge stops sending new connections and those in \
            flight get drain_timeout_seconds (default 10) to finish (a second SIGTERM \
            or SIGINT ends them at once); exit status 0.

            Logs go to stderr, as text or JSON (--log-format, else log_format in the \
            config, else text). `homeagent status` asks the running agent through its \
            control socket, a Unix socket next to the config file (mode 0600). One \
            agent runs per home: a second `run` with the same key refuses to start \
            (a lock file next to the key).
            """
    )

    @OptionGroup var options: HomeConfigOptions

    @OptionGroup var logging: LoggingOptions

    func run() async throws {
        let launch = try AgentLaunch.prepare(
            config: try AgentLaunch.loadConfig(path: options.config), configPath: options.config)
        let config = launch.config
        AgentLogging.bootstrap(logging, defaultFormat: config.effectiveLogFormat == .json ? .json : .text)
        var logger = Logger(label: "portico.home")
        logger[metadataKey: "home.name"] = "\(config.home)"

        do {
            let home = try await HomeServices.build(
                config: config, configPath: options.config, group: AgentProcess.eventLoopGroup, logger: logger)
            if let recovered = launch.recovered { logger.notice("\(recovered)") }
            logger.info("home agent starting", metadata: [
                "edge": "\(config.edge)", "forwards": .stringConvertible(config.forwards.count), "control": "\(home.control.path)",
            ])
            try await home.serviceGroup(signals: .handled).run()
        } catch {
            throw AgentLogging.fatal(error, logger: logger)
        }
        logger.info("home agent stopped")
        withExtendedLifetime(launch.lock) {}
    }
}

