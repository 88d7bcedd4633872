import ArgumentParser
import Foundation

/// `serve`'s data directory and the ports the edge uses (all derived from
/// one base port). The admin commands take `AdminOptions`.
struct EdgeOptions: ParsableArguments {
    @Option(name: .long, help: "Data directory (registry, CA, admin token).")
    var dataDir: String = EdgeOptions.defaultDataDirectory

    @Option(name: .long, help: "Base port: public TLS = base, HTTP = base-1, tunnel = base+1, API = base+2.")
    var basePort: Int = 8443

    @Option(name: .long, help: "Tunnel port (default base+1).")
    var tunnelPort: Int?

    @Option(name: .long, help: "API port on 127.0.0.1 (default base+2).")
    var apiPort: Int?

    var dataDirectory: URL { URL(fileURLWithPath: (dataDir as NSString).expandingTildeInPath) }
    var resolvedTunnelPort: Int { tunnelPort ?? basePort + 1 }
    var resolvedAPIPort: Int { apiPort ?? basePort + 2 }

    /// `$XDG_DATA_HOME/portico/edge`, else `~/.local/share/portico/edge`.
    static var defaultDataDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        return base + "/portico/edge"
    }

    func validate() throws {
        for (name, port) in [("--base-port", basePort), ("--tunnel-port", resolvedTunnelPort), ("--api-port", resolvedAPIPort)]
        where !(0...65_535).contains(port) {
            throw ValidationError("\(name) gives port \(port), outside 0-65535")
        }
    }
}
