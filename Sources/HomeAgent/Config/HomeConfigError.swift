/// Everything that can go wrong reading, checking or writing the home agent's
/// config file, as one enum so that `homeagent` can print any of them as is.
///
/// Every message names what the user has to change: the field and the forward
/// (`forwards[1] "app": hostname is required for type http`), the line and
/// column of a YAML mistake, or the command that fixes a permission problem.
enum HomeConfigError: Error, Equatable, Sendable {
    /// There is no file at `path`: most likely the home has not joined yet.
    case missing(path: String)
    /// The file could not be opened or read (a directory, I/O error).
    case cannotRead(path: String, reason: String)
    /// The file is larger than ``HomeConfigFile/maximumSize``; a config is a few
    /// hundred bytes, so anything this big is the wrong file.
    case tooLarge(path: String, size: Int)
    /// The config or the key file it names is readable or writable by group or
    /// others. `mode` holds the permission bits (for example `0o644`).
    case insecurePermissions(path: String, mode: UInt16)
    /// The bytes are not UTF-8 text.
    case notUTF8
    /// YAML the parser could not read, with its 1-based position when known.
    case syntax(line: Int?, column: Int?, problem: String)
    /// Well-formed YAML that breaks the schema. `location` names the forward
    /// (`forwards[2] "ssh"`), or is empty for top-level keys, whose problem
    /// text names the key itself.
    case invalid(location: String, problem: String)
    /// `removing` / `replacing` named a forward the config does not have.
    case noSuchForward(name: String, existing: [String])
    /// The config could not be written; the previous file, if any, is untouched.
    case cannotWrite(path: String, reason: String)
}

extension HomeConfigError: CustomStringConvertible {
    var description: String {
        switch self {
        case .missing(let path):
            return "no config at \(path): join an edge first with `homeagent join TOKEN` (it writes this file), "
                + "or give --config the path of the config you have"
        case .cannotRead(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .tooLarge(let path, let size):
            return "\(path) is \(size) bytes; a config file may be at most "
                + "\(HomeConfigFile.maximumSize) bytes (is this the right file?)"
        case .insecurePermissions(let path, let mode):
            return "\(path) is accessible by group or others (mode \(Self.octal(mode))); "
                + "it must be private to you: chmod 600 \(path)"
        case .notUTF8:
            return "the config file is not UTF-8 text"
        case .syntax(let line?, let column?, let problem):
            return "line \(line), column \(column): \(problem)"
        case .syntax(let line?, nil, let problem):
            return "line \(line): \(problem)"
        case .syntax(_, _, let problem):
            return "YAML error: \(problem)"
        case .invalid(let location, let problem):
            return location.isEmpty ? problem : "\(location): \(problem)"
        case .noSuchForward(let name, let existing):
            let known = existing.isEmpty ? "there are no forwards" : "forwards: " + existing.joined(separator: ", ")
            return "no forward named \"\(name)\" (\(known))"
        case .cannotWrite(let path, let reason):
            return "cannot write \(path): \(reason)"
        }
    }

    /// `0o644` as `0644`, the way `chmod` and `ls` users read modes.
    private static func octal(_ mode: UInt16) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
