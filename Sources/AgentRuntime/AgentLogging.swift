import ArgumentParser
import Logging
import Synchronization

/// The one place an agent process sets up swift-log: every `Logger` made
/// afterwards, in the agent and in the libraries it uses (Hummingbird,
/// service-lifecycle), writes through the handler chosen here.
public enum AgentLogging {
    /// Bootstraps the logging system for this process with `level` and
    /// `format`. swift-log allows this once per process: call it once, at
    /// the start of the command that runs the agent.
    public static func bootstrap(level: Logger.Level, format: LogFormat) {
        bootstrapped.withLock { $0 = format }
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                switch format {
                case .text: StreamLogHandler.standardError(label: label)
                case .json: JSONLogHandler(label: label)
                }
            handler.logLevel = level
            return handler
        }
    }

    /// Bootstraps from the command's options; `defaultFormat` applies when
    /// `--log-format` was not given (the home agent's config may set one),
    /// `info` when `--log-level` was not.
    public static func bootstrap(_ options: LoggingOptions, defaultFormat: LogFormat = .text) {
        bootstrap(level: options.logLevel ?? .info, format: options.logFormat ?? defaultFormat)
    }

    /// The format chosen at bootstrap; nil before it.
    private static let bootstrapped = Mutex<LogFormat?>(nil)

    /// What to throw for an error that ends the agent. With JSON logs it is
    /// logged as a `critical` JSON line (a log shipper or `jq` would choke
    /// on ArgumentParser's plain `Error: ...` as the last, most important
    /// line) and the command exits with status 1 without printing it again;
    /// otherwise the error goes to ArgumentParser unchanged.
    public static func fatal(_ error: any Error, logger: Logger) -> any Error {
        guard bootstrapped.withLock({ $0 }) == .json, !(error is ExitCode), !(error is CleanExit) else { return error }
        logger.critical("\(error)")
        return ExitCode.failure
    }
}
