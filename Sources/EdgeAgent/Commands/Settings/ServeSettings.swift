import AgentRuntime
import Foundation
import Logging

/// Everything `edgeagent serve` runs with, resolved from its four sources:
/// command-line flag > environment variable > config file > built-in default,
/// each checked by the same rule whichever source gave it.
struct ServeSettings {
    var configuration: EdgeConfiguration
    var logLevel: Logger.Level
    var logFormat: LogFormat
    /// Whether any source named the edge's hostname (else join tokens carry a guess).
    var hostnameGiven: Bool

    static let portRange = 0...65_535

    init(_ command: ServeCommand, sources: EdgeSettingSources) throws {
        let options = command.options
        let port = { (text: String) throws -> Int in try SettingProblem.integer(text, in: Self.portRange) }
        let dataDir = try options.dataDir.map(EdgeSettingSources.expand) ?? sources.path(.dataDir)
            ?? EdgeOptions.defaultDataDirectory
        let base = try Self.flag(options.basePort, .basePort, port) ?? sources.value(.basePort, port) ?? EdgeOptions.defaultBasePort

        var configuration = EdgeConfiguration(dataDirectory: URL(fileURLWithPath: dataDir))
        configuration.bindHost = try command.bind ?? sources.value(.bind) { $0 } ?? "0.0.0.0"
        let hostnames = command.hostname.isEmpty ? sources.list(.hostname) ?? [] : command.hostname
        if !hostnames.isEmpty { configuration.hostnames = hostnames }
        hostnameGiven = !hostnames.isEmpty
        configuration.tlsPort = try Self.flag(command.httpsPort, .httpsPort, port) ?? sources.value(.httpsPort, port) ?? base
        configuration.httpPort = try Self.flag(command.httpPort, .httpPort, port) ?? sources.value(.httpPort, port) ?? base - 1
        configuration.tunnelPort = try Self.flag(options.tunnelPort, .tunnelPort, port) ?? sources.value(.tunnelPort, port) ?? base + 1
        configuration.apiPort = try Self.flag(options.apiPort, .apiPort, port) ?? sources.value(.apiPort, port) ?? base + 2
        for (setting, value) in [
            (EdgeSetting.httpsPort, configuration.tlsPort), (.httpPort, configuration.httpPort),
            (.tunnelPort, configuration.tunnelPort), (.apiPort, configuration.apiPort),
        ] where !Self.portRange.contains(value) {
            // Only a derived port gets here: base_port is in range, base-1 or base+2 may not be.
            throw EdgeConfigError.derivedPort(base: base, setting: setting.key, port: value, flag: setting.flag)
        }
        configuration.tcpPortRange = try (command.tcpPorts ?? sources.value(.tcpPorts) { try PortRange.parse($0) }
            ?? PortRange(EdgePublicAddresses.defaultTCPPortRange)).range
        try Self.checkNoClash(configuration)
        let drain = try Self.flag(command.drainTimeout, .drainTimeout) { try SettingProblem.integer($0, in: 0...3600) }
            ?? sources.value(.drainTimeout) { try SettingProblem.integer($0, in: 0...3600) } ?? 10
        configuration.drainTimeout = .seconds(drain)
        let connections = { (text: String) throws -> Int in try SettingProblem.integer(text, in: 1...Int(Int32.max)) }
        configuration.maxConnectionsPerHome = try Self.flag(command.maxConnectionsPerHome, .maxConnectionsPerHome, connections)
            ?? sources.value(.maxConnectionsPerHome, connections) ?? ForwardCapacity.defaultPerHomeLimit
        configuration.maxConnectionsPerForward = try Self.flag(
            command.maxConnectionsPerForward, .maxConnectionsPerForward, connections)
            ?? sources.value(.maxConnectionsPerForward, connections)
        configuration.domainVerification = try command.domainVerification.settings(sources: sources)
        logLevel = try command.logging.logLevel
            ?? sources.value(.logLevel) { try SettingProblem.oneOf($0, Logger.Level.self) } ?? .info
        logFormat = try command.logging.logFormat
            ?? sources.value(.logFormat) { try SettingProblem.oneOf($0, LogFormat.self) } ?? .text
        self.configuration = configuration
    }

    /// Every listener on a port of its own, none inside the TCP forward range
    /// (port 0, the system's choice, never clashes): otherwise the second
    /// bind would fail with "in use by another process" about the edge itself.
    private static func checkNoClash(_ configuration: EdgeConfiguration) throws(EdgeConfigError) {
        let listeners = [
            ("public TLS port (--https-port)", configuration.tlsPort), ("public HTTP port (--http-port)", configuration.httpPort),
            ("tunnel port (--tunnel-port)", configuration.tunnelPort), ("API port (--api-port)", configuration.apiPort),
        ].filter { $0.1 != 0 }
        for (index, (name, port)) in listeners.enumerated() {
            if let other = listeners[..<index].first(where: { $0.1 == port }) {
                throw .portClash(port: port, first: other.0, second: "the " + name)
            }
            if configuration.tcpPortRange.contains(port) {
                throw .portClash(port: port, first: name, second: "a TCP forward port (--tcp-ports)")
            }
        }
    }

    /// A flag's value, checked by the rule the other sources get (ArgumentParser only checked its type).
    private static func flag(_ value: Int?, _ setting: EdgeSetting, _ check: (String) throws -> Int) throws(EdgeConfigError) -> Int? {
        guard let value else { return nil }
        do { return try check(String(value)) } catch {
            throw EdgeConfigError.invalidFlag(flag: setting.flag, value: String(value), problem: "\(error)")
        }
    }
}
