import Logging

/// The one place an agent process sets up swift-log: every `Logger` made
/// afterwards, in the agent and in the libraries it uses (Hummingbird,
/// service-lifecycle), writes through the handler chosen here.
public enum AgentLogging {
    /// Bootstraps the logging system for this process with `level` and
    /// `format`. swift-log allows this once per process: call it once, at
    /// the start of the command that runs the agent.
    public static func bootstrap(level: Logger.Level, format: LogFormat) {
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
}
