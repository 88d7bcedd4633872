import Foundation

/// Where a setting not given on the command line comes from, in order: the
/// environment (`PORTICO_BASE_PORT`), then the config file (`base_port:`),
/// then the built-in default, which the caller supplies. A flag always wins,
/// so `--base-port` on one run overrides a value kept for every run.
///
/// Values from the environment and the file are text; each accessor parses
/// them with the same rule the flag has and names the source in the error.
struct EdgeSettingSources: Sendable {
    var file: EdgeConfigFile?
    var environment: [String: String]

    /// The config file named by `--config`, else by `PORTICO_CONFIG`, else
    /// `/etc/portico/edge.yaml` if it exists (a missing default is no error:
    /// flags alone are a complete configuration).
    static func load(
        configFlag: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
        defaultPath: String = EdgeSetting.defaultConfigPath
    ) throws(EdgeConfigError) -> EdgeSettingSources {
        let file: EdgeConfigFile?
        if let configFlag {
            file = try EdgeConfigFile.load(path: expand(configFlag), namedBy: "--config")
        } else if let named = environment[EdgeSetting.configEnvironmentVariable], !named.isEmpty {
            file = try EdgeConfigFile.load(path: expand(named), namedBy: EdgeSetting.configEnvironmentVariable)
        } else if FileManager.default.fileExists(atPath: defaultPath) {
            file = try EdgeConfigFile.load(path: defaultPath, namedBy: defaultPath)
        } else {
            file = nil
        }
        return EdgeSettingSources(file: file, environment: environment)
    }

    /// The setting's text from the environment or the file, parsed by
    /// `parse`, whose thrown error's description becomes the problem.
    func value<T>(_ setting: EdgeSetting, _ parse: (String) throws -> T) throws(EdgeConfigError) -> T? {
        if let text = environment[setting.environmentVariable], !text.isEmpty {
            do { return try parse(text) } catch {
                throw EdgeConfigError.invalidEnvironment(variable: setting.environmentVariable, value: text, problem: "\(error)")
            }
        }
        guard let file, let entry = file.entries[setting] else { return nil }
        guard case .scalar(let text) = entry.value else {
            throw EdgeConfigError.invalidValue(path: file.path, line: entry.line, key: setting.key, problem: "expected one value, found a list")
        }
        do { return try parse(text) } catch {
            throw EdgeConfigError.invalidValue(path: file.path, line: entry.line, key: setting.key, problem: "\(error)")
        }
    }

    /// A list setting: commas (or spaces) separate items in the environment;
    /// the file takes a YAML list or a single value.
    func list(_ setting: EdgeSetting) -> [String]? {
        if let text = environment[setting.environmentVariable], !text.isEmpty {
            return text.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init)
        }
        switch file?.entries[setting]?.value {
        case .scalar(let text)?: return [text]
        case .list(let items)?: return items
        case nil: return nil
        }
    }

    /// A list setting whose items `parse` checks; an item it refuses is
    /// named with its source, as ``value(_:_:)`` does. Also says where the
    /// list came from (the variable, or the key in the file), for messages
    /// about the setting as a whole.
    func list<T>(_ setting: EdgeSetting, _ parse: (String) throws -> T) throws(EdgeConfigError) -> (items: [T], source: String)? {
        guard let items = list(setting) else { return nil }
        if let text = environment[setting.environmentVariable], !text.isEmpty {
            do { return (try items.map(parse), setting.environmentVariable) } catch {
                throw EdgeConfigError.invalidEnvironment(variable: setting.environmentVariable, value: text, problem: "\(error)")
            }
        }
        guard let file, let entry = file.entries[setting] else { return nil }
        do { return (try items.map(parse), "\(setting.key) in \(file.path)") } catch {
            throw EdgeConfigError.invalidValue(path: file.path, line: entry.line, key: setting.key, problem: "\(error)")
        }
    }

    /// A path from the file may be relative to the file's own directory
    /// (systemd starts the edge in `/`); `~` is expanded everywhere.
    func path(_ setting: EdgeSetting) throws(EdgeConfigError) -> String? {
        let fromEnvironment = environment[setting.environmentVariable].map { !$0.isEmpty } ?? false
        guard let text = try value(setting, { $0 }) else { return nil }
        let expanded = Self.expand(text)
        guard !fromEnvironment, !expanded.hasPrefix("/"), let file else { return expanded }
        return URL(fileURLWithPath: file.path).deletingLastPathComponent().appendingPathComponent(expanded).path
    }

    static func expand(_ path: String) -> String {
        (path as NSString).expandingTildeInPath
    }
}

/// A value that breaks a setting's rule, phrased to follow "key: ".
struct SettingProblem: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }

    /// A whole number in `range`.
    static func integer(_ text: String, in range: ClosedRange<Int>) throws -> Int {
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
            throw SettingProblem("\"\(text)\" is not a whole number")
        }
        guard range.contains(value) else {
            throw SettingProblem("\(value) is outside \(range.lowerBound)-\(range.upperBound)")
        }
        return value
    }

    /// One of `T`'s raw values.
    static func oneOf<T: RawRepresentable & CaseIterable>(_ text: String, _: T.Type) throws -> T where T.RawValue == String {
        guard let value = T(rawValue: text) else {
            throw SettingProblem("\"\(text)\" is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }
}
