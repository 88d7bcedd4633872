/// Why the edge's settings could not be read: every message names where the
/// bad value came from (the file and line, or the environment variable) and
/// what would be accepted, so the operator can fix it without reading code.
enum EdgeConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `--config` or `PORTICO_CONFIG` names a file that is not there.
    case missing(path: String, namedBy: String)
    case cannotRead(path: String, reason: String)
    case tooLarge(path: String, size: Int)
    /// YAML the parser could not read, with its 1-based position when known.
    case syntax(path: String, line: Int?, column: Int?, problem: String)
    /// Valid YAML that is not a mapping of known keys to values.
    case malformed(path: String, line: Int?, problem: String)
    case unknownKey(path: String, line: Int, key: String, hint: String)
    /// A known key with a value it cannot take.
    case invalidValue(path: String, line: Int, key: String, problem: String)
    case invalidEnvironment(variable: String, value: String, problem: String)
    case invalidFlag(flag: String, value: String, problem: String)
    /// A port derived from the base port (base-1, base+1, base+2) falls outside 0-65535.
    case derivedPort(base: Int, setting: String, port: Int, flag: String)
    /// Two listeners, or a listener and the TCP forward range, on one port.
    case portClash(port: Int, first: String, second: String)
    /// A setting given (`given` names it and its source) that nothing would
    /// use unless `needs` is set too.
    case unusedSetting(given: String, needs: String)

    var description: String {
        switch self {
        case .missing(let path, let namedBy):
            "no config file at \(path) (named by \(namedBy)); create it, or leave \(namedBy) out to use flags alone"
        case .cannotRead(let path, let reason):
            "cannot read the config file \(path): \(reason)"
        case .tooLarge(let path, let size):
            "the config file \(path) is \(size) bytes; an edge config is a few lines (is this the right file?)"
        case .syntax(let path, let line?, let column?, let problem):
            "\(path) line \(line), column \(column): \(problem)"
        case .syntax(let path, _, _, let problem):
            "\(path): YAML error: \(problem)"
        case .malformed(let path, let line?, let problem):
            "\(path) line \(line): \(problem)"
        case .malformed(let path, nil, let problem):
            "\(path): \(problem)"
        case .unknownKey(let path, let line, let key, let hint):
            "\(path) line \(line): unknown key \"\(key)\"\(hint)"
        case .invalidValue(let path, let line, let key, let problem):
            "\(path) line \(line): \(key): \(problem)"
        case .invalidEnvironment(let variable, let value, let problem):
            "\(variable)=\(value) in the environment: \(problem)"
        case .invalidFlag(let flag, let value, let problem):
            "\(flag) \(value): \(problem)"
        case .derivedPort(let base, let setting, let port, let flag):
            "base port \(base) gives \(setting) \(port), outside 0-65535: choose another base port, or give \(flag)"
        case .portClash(let port, let first, let second):
            "port \(port) would be both the \(first) and \(second); each listener needs a port of its own"
        case .unusedSetting(let given, let needs):
            "\(given) is only used with \(needs); add that, or drop it"
        }
    }
}
