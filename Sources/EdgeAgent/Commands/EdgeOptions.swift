import ArgumentParser
import Foundation

/// `serve`'s data directory and the ports the edge uses (all derived from
/// one base port). Every option is optional here: one left out is taken
/// from the environment, then the config file, then the default
/// (`ServeSettings`). The admin commands take `AdminOptions`.
struct EdgeOptions: ParsableArguments {
    @Option(
        name: .long, help: "Data directory (registry, CA, admin token; default \(EdgeOptions.defaultDataDirectoryHelp)).",
        completion: .directory)
    var dataDir: String?

    @Option(name: .long, help: "Base port: public TLS = base, HTTP = base-1, tunnel = base+1, API = base+2 (default 8443).")
    var basePort: Int?

    @Option(name: .long, help: "Tunnel port (default base+1).")
    var tunnelPort: Int?

    @Option(name: .long, help: "API port on 127.0.0.1 (default base+2).")
    var apiPort: Int?

    static let defaultBasePort = 8443

    /// `$XDG_DATA_HOME/portico/edge`; else, for root, `/var/lib/portico/edge`,
    /// where the packaged `edgeagent.service` keeps its data, so that
    /// `sudo edgeagent home create alice` manages that edge without flags;
    /// else `~/.local/share/portico/edge`.
    static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let data = environment["XDG_DATA_HOME"], !data.isEmpty { return data + "/portico/edge" }
        if geteuid() == 0 { return systemDataDirectory }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/portico/edge"
    }

    static let systemDataDirectory = "/var/lib/portico/edge"

    /// How `--help` names the default, the same on every machine (man pages are generated from it).
    static let defaultDataDirectoryHelp =
        "~/.local/share/portico/edge; for root \(systemDataDirectory); $XDG_DATA_HOME/portico/edge when set"
}

/// `--config FILE`, shared by `serve` and the admin commands.
struct ConfigFileOption: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Config file (YAML) with serve's options as keys, e.g. data_dir, base_port (default: $\(EdgeSetting.configEnvironmentVariable), else \(EdgeSetting.defaultConfigPath) if it exists).",
            valueName: "file"),
        completion: .file(extensions: ["yaml", "yml"]))
    var config: String?
}
