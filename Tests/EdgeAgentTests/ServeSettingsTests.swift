import Foundation
import Testing
@testable import EdgeAgent

/// How `edgeagent serve` resolves each option: flag > environment > config
/// file > default, every source checked by the same rule.
@Suite struct ServeSettingsTests {
    static func settings(_ arguments: [String], environment: [String: String] = [:], file: String? = nil) throws -> ServeSettings {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("serve-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var arguments = arguments
        if let file {
            let path = directory.appendingPathComponent("edge.yaml").path
            try file.write(toFile: path, atomically: true, encoding: .utf8)
            arguments += ["--config", path]
        }
        let command = try ServeCommand.parse(arguments)
        // A default file this machine may have is not read: only what each test names counts.
        let sources = try EdgeSettingSources.load(
            configFlag: command.configFile.config, environment: environment, defaultPath: "/nonexistent/edge.yaml")
        return try ServeSettings(command, sources: sources)
    }

    @Test("a flag wins over the environment, which wins over the file, which wins over the default")
    func precedence() throws {
        let file = "base_port: 9000\napi_port: 9100\ntunnel_port: 9200\nlog_level: debug\n"
        let fromFile = try Self.settings([], file: file).configuration
        #expect((fromFile.tlsPort, fromFile.httpPort, fromFile.apiPort, fromFile.tunnelPort) == (9000, 8999, 9100, 9200))
        let environment = ["PORTICO_API_PORT": "9300", "PORTICO_LOG_LEVEL": "error"]
        let fromEnvironment = try Self.settings([], environment: environment, file: file)
        #expect(fromEnvironment.configuration.apiPort == 9300 && fromEnvironment.configuration.tunnelPort == 9200)
        #expect(fromEnvironment.logLevel == .error)
        let fromFlag = try Self.settings(["--api-port", "9400", "--log-level", "notice"], environment: environment, file: file)
        #expect(fromFlag.configuration.apiPort == 9400 && fromFlag.logLevel == .notice)
        let defaults = try Self.settings([])
        #expect((defaults.configuration.tlsPort, defaults.configuration.apiPort) == (8443, 8445))
        #expect(defaults.logLevel == .info && defaults.logFormat == .text && !defaults.hostnameGiven)
    }

    @Test("every serve option can come from the file, hostname as one name or a list, data_dir relative to the file")
    func everyOptionFromTheFile() throws {
        let settings = try Self.settings([], file: """
            data_dir: state
            bind: 127.0.0.1
            hostname: [edge.example.com, other.example.com]
            https_port: 443
            http_port: 80
            tcp_ports: 20000-20009
            drain_timeout: 3
            max_connections_per_home: 100
            max_connections_per_forward: 50
            log_format: json
            """)
        let configuration = settings.configuration
        #expect(configuration.dataDirectory.path.hasSuffix("/state") && configuration.dataDirectory.path.hasPrefix("/"))
        #expect(configuration.bindHost == "127.0.0.1" && configuration.hostnames == ["edge.example.com", "other.example.com"])
        #expect((configuration.tlsPort, configuration.httpPort) == (443, 80))
        #expect(configuration.tcpPortRange == 20_000...20_009 && configuration.drainTimeout == .seconds(3))
        #expect(configuration.maxConnectionsPerHome == 100 && configuration.maxConnectionsPerForward == 50)
        #expect(settings.logFormat == .json && settings.hostnameGiven)
        let one = try Self.settings([], environment: ["PORTICO_HOSTNAME": "a.example.com,b.example.com"], file: "hostname: x.example.com\n")
        #expect(one.configuration.hostnames == ["a.example.com", "b.example.com"])
    }

    @Test("bad values name their source: file and line, the variable, or the flag")
    func badValuesNameTheirSource() throws {
        #expect(throws: EdgeConfigError.self) { try Self.settings([], file: "base_port: 8443\ntcp_ports: 5-1\n") }
        do {
            _ = try Self.settings([], file: "base_port: 8443\ntcp_ports: 5-1\n")
        } catch {
            #expect("\(error)".hasSuffix("edge.yaml line 2: tcp_ports: the lower port comes first: 1-5"), "\(error)")
        }
        do {
            _ = try Self.settings([], environment: ["PORTICO_DRAIN_TIMEOUT": "soon"])
            Issue.record("accepted PORTICO_DRAIN_TIMEOUT=soon")
        } catch {
            #expect("\(error)" == "PORTICO_DRAIN_TIMEOUT=soon in the environment: \"soon\" is not a whole number")
        }
        do {
            _ = try Self.settings(["--drain-timeout", "4000"])
            Issue.record("accepted --drain-timeout 4000")
        } catch {
            #expect("\(error)" == "--drain-timeout 4000: 4000 is outside 0-3600")
        }
        do {
            _ = try Self.settings(["--base-port", "65535"])
            Issue.record("accepted a base port whose API port is 65537")
        } catch {
            #expect("\(error)".contains("base port 65535 gives tunnel_port 65536, outside 0-65535"), "\(error)")
        }
    }

    @Test("two listeners on one port, or a listener inside the TCP forward range, are refused before anything binds", arguments: [
        (["--base-port", "35443", "--api-port", "35443"], "port 35443 would be both the public TLS port (--https-port) and the API port (--api-port)"),
        (["--base-port", "35443", "--tcp-ports", "35440-35450"], "port 35443 would be both the public TLS port (--https-port) and a TCP forward port"),
        (["--base-port", "20000", "--http-port", "20001"], "port 20001 would be both the public HTTP port (--http-port) and the tunnel port"),
    ])
    func portClashes(arguments: [String], expected: String) throws {
        do {
            _ = try Self.settings(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            #expect("\(error)".hasPrefix(expected), "\(error)")
        }
        // Port 0 (the system's choice) for several listeners is fine.
        _ = try Self.settings(["--https-port", "0", "--http-port", "0", "--tunnel-port", "0", "--api-port", "0"])
    }
}
