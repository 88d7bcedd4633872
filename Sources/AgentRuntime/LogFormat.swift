import ArgumentParser

/// How an agent writes its log lines to stderr.
public enum LogFormat: String, Sendable, CaseIterable, ExpressibleByArgument {
    /// One line per record for a terminal: time, level, label, metadata, message.
    case text
    /// One JSON object per line, for journald and log shippers.
    case json
}
