import ArgumentParser
import Logging

/// `--log-level` and `--log-format`, the same for `edgeagent serve` and
/// `homeagent run`.
public struct LoggingOptions: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help: ArgumentHelp("Least severe level logged (debug adds a line per connection).", valueName: "level"))
    public var logLevel: Logger.Level = .info

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Log line format on stderr: text, or json for one object per line (default: text; for homeagent run, log_format in the config, else text).",
            valueName: "format"))
    public var logFormat: LogFormat?

    public init() {}
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
