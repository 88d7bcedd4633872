/// One option of `edgeagent serve` that the config file and the environment
/// may give too. One name, three spellings: `base_port` in the file,
/// `PORTICO_BASE_PORT` in the environment, `--base-port` on the command line,
/// so an operator who knows one knows all three.
struct EdgeSetting: Hashable, Sendable, CustomStringConvertible {
    /// The key in the config file, snake_case.
    let key: String

    var environmentVariable: String { "PORTICO_" + key.uppercased() }
    var flag: String { "--" + key.replacingOccurrences(of: "_", with: "-") }
    var description: String { key }

    static let dataDir = EdgeSetting(key: "data_dir")
    static let basePort = EdgeSetting(key: "base_port")
    static let tunnelPort = EdgeSetting(key: "tunnel_port")
    static let apiPort = EdgeSetting(key: "api_port")
    static let httpsPort = EdgeSetting(key: "https_port")
    static let httpPort = EdgeSetting(key: "http_port")
    static let bind = EdgeSetting(key: "bind")
    /// A list: repeated flags, a YAML list (or one name), commas in the environment.
    static let hostname = EdgeSetting(key: "hostname")
    static let tcpPorts = EdgeSetting(key: "tcp_ports")
    static let drainTimeout = EdgeSetting(key: "drain_timeout")
    static let maxConnectionsPerHome = EdgeSetting(key: "max_connections_per_home")
    static let maxConnectionsPerForward = EdgeSetting(key: "max_connections_per_forward")
    static let logLevel = EdgeSetting(key: "log_level")
    static let logFormat = EdgeSetting(key: "log_format")
    static let domainVerification = EdgeSetting(key: "domain_verification")
    /// A list, like `hostname`.
    static let dnsServer = EdgeSetting(key: "dns_server")
    static let dnsTimeout = EdgeSetting(key: "dns_timeout")

    /// Every key the config file may hold, in the order `serve --help` lists them.
    static let all: [EdgeSetting] = [
        dataDir, basePort, tunnelPort, apiPort, httpsPort, httpPort, bind, hostname, tcpPorts, drainTimeout,
        maxConnectionsPerHome, maxConnectionsPerForward, domainVerification, dnsServer, dnsTimeout, logLevel, logFormat,
    ]

    /// Names the config file itself: `--config`, `PORTICO_CONFIG`.
    static let configEnvironmentVariable = "PORTICO_CONFIG"
    /// Read when it exists and neither `--config` nor `PORTICO_CONFIG` names another.
    static let defaultConfigPath = "/etc/portico/edge.yaml"
}
