import Foundation

/// Where the home agent keeps its files unless told otherwise.
enum HomeAgentPaths {
    /// `$XDG_CONFIG_HOME/portico/homeagent.yaml`, else `~/.config/portico/homeagent.yaml`.
    static var defaultConfigPath: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.config"
        return base + "/portico/homeagent.yaml"
    }
}
