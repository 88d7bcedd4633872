import ArgumentParser
import Foundation

/// Options of the admin commands (`home`, `domain`, `route`, `audit`): which
/// edge to talk to. They reach the running edge through its API, so the ports
/// it serves on are `serve`'s options, not theirs. Like `serve`, each takes
/// its flag first, then the environment (`PORTICO_DATA_DIR`,
/// `PORTICO_API_PORT`), then `data_dir` from the edge's config file, so an
/// operator who set up the edge once types neither on every call.
struct AdminOptions: ParsableArguments {
    @Option(
        name: .long,
        help: "Data directory of the edge to manage: its admin token, and the port file of the edge running on it (default: $PORTICO_DATA_DIR, else data_dir in the config file, else \(EdgeOptions.defaultDataDirectoryHelp)).",
        completion: .directory)
    var dataDir: String?

    @Option(
        name: .long,
        help: "The edge API's port on 127.0.0.1 (default: $PORTICO_API_PORT, else the one the edge running on the data directory wrote to edge.runtime.json).")
    var apiPort: Int?

    @OptionGroup var configFile: ConfigFileOption

    func validate() throws {
        if let apiPort, !(1...65_535).contains(apiPort) {
            throw ValidationError("--api-port \(apiPort) is outside 1-65535")
        }
    }

    /// Where the edge to manage keeps its data and (when told) its API port.
    struct Resolved {
        var dataDirectory: URL
        var apiPort: Int?
    }

    func resolve(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Resolved {
        // The file is read only when it is needed: with --data-dir or
        // PORTICO_DATA_DIR an operator who may not read /etc/portico/edge.yaml
        // still manages the edge.
        let directory: String
        if let given = dataDir ?? environment[EdgeSetting.dataDir.environmentVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            directory = EdgeSettingSources.expand(given)
        } else {
            let sources = try EdgeSettingSources.load(configFlag: configFile.config, environment: environment)
            directory = try sources.path(.dataDir) ?? EdgeOptions.defaultDataDirectory
        }
        // Only an explicit port: the config file's api_port may be 0, and
        // edge.runtime.json always has the port the edge really bound.
        var port = apiPort
        if port == nil, let text = environment[EdgeSetting.apiPort.environmentVariable], !text.isEmpty {
            do { port = try SettingProblem.integer(text, in: 1...65_535) } catch {
                throw EdgeConfigError.invalidEnvironment(variable: EdgeSetting.apiPort.environmentVariable, value: text, problem: "\(error)")
            }
        }
        return Resolved(dataDirectory: URL(fileURLWithPath: directory), apiPort: port)
    }
}
