import ArgumentParser
import Logging

/// `--log-level` and `--log-format`, the same for `edgeagent serve` and
/// `homeagent run`.
public struct LoggingOptions: ParsableArguments, Sendable {
    @Option(
        name: .long,
        help: ArgumentHelp("Least severe level logged (debug adds a line per connection; default: info).", valueName: "level"))
    public var logLevel: Logger.Level?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Log line format on stderr: text, or json for one object per line (default: text; log_format in the config file applies when this is not given).",
            valueName: "format"))
    public var logFormat: LogFormat?

    public init() {}
}

extension Logger.Level: @retroactive ExpressibleByArgument {}
