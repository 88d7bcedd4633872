import Foundation
import Testing
import TestSupport

/// The edge's config file and environment with the real binary: `serve
/// --config` binds the ports the file names, the admin commands find the
/// edge through PORTICO_DATA_DIR or the file's data_dir, and mistakes in
/// the file stop the edge with the file, line and key.
@Suite("edgeagent config file and environment as processes", .timeLimit(.minutes(2)))
struct EdgeConfigFileProcessTests {
    static func directory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    /// Starts `edgeagent serve` with only `arguments` (no flags of EdgeServerProcess's) and waits for its runtime file.
    static func serve(_ arguments: [String], dataDirectory: URL, environment: [String: String] = [:], log: URL)
        async throws -> (SpawnedProcess, [String: Int])
    {
        let process = try SpawnedProcess(
            AgentRun.binary("edgeagent"), ["serve"] + arguments, output: log.path, error: log.path, environment: environment)
        let runtime = dataDirectory.appendingPathComponent("edge.runtime.json")
        let ready = try await eventually(timeout: .seconds(20)) {
            !process.isRunning || FileManager.default.fileExists(atPath: runtime.path)
        }
        let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard ready, process.isRunning, let data = try? Data(contentsOf: runtime),
            let ports = try JSONSerialization.jsonObject(with: data) as? [String: Int]
        else {
            await process.killAndWait()
            throw EdgeServerFailure("edgeagent serve did not start: \(text.suffix(2000))")
        }
        return (process, ports)
    }

    @Test("serve --config binds the file's ports; admin commands find the edge through the file, PORTICO_CONFIG and PORTICO_DATA_DIR")
    func serveFromTheFile() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (api, tunnel) = (try FreePorts.one(), try FreePorts.one())
        let tcp = try FreePorts.range(count: 5)
        let config = directory.appendingPathComponent("edge.yaml")
        try """
            # The edge of this test; data_dir is relative to this file.
            data_dir: data
            bind: 127.0.0.1
            hostname: 127.0.0.1
            api_port: \(api)
            tunnel_port: \(tunnel)
            https_port: 0
            http_port: 0
            tcp_ports: \(tcp.lowerBound)-\(tcp.upperBound)
            log_level: warning
            """.write(to: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data")
        let log = directory.appendingPathComponent("edge.log")
        let (edge, ports) = try await Self.serve(["--config", config.path], dataDirectory: data, log: log)
        #expect(ports["api_port"] == api && ports["tunnel_port"] == tunnel)

        let created = try await AgentRun.run("edgeagent", ["home", "create", "alice", "--config", config.path])
        #expect(created.status == 0 && created.output.hasPrefix("portico1-"), "stderr: \(created.error)")
        let viaConfig = try await AgentRun.run("edgeagent", ["home", "list"], environment: ["PORTICO_CONFIG": config.path])
        #expect(viaConfig.output.contains("alice"), "stdout: \(viaConfig.output) stderr: \(viaConfig.error)")
        let viaDataDir = try await AgentRun.run("edgeagent", ["home", "list"], environment: ["PORTICO_DATA_DIR": data.path])
        #expect(viaDataDir.output.contains("alice"), "stdout: \(viaDataDir.output) stderr: \(viaDataDir.error)")
        // An explicit port in the environment is used as given.
        let viaPort = try await AgentRun.run(
            "edgeagent", ["home", "list"], environment: ["PORTICO_DATA_DIR": data.path, "PORTICO_API_PORT": "\(api)"])
        #expect(viaPort.output.contains("alice"), "stderr: \(viaPort.error)")
        // The log level came from the file: no info lines.
        #expect(!((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(" info "))
        #expect(await edge.terminate(timeout: .seconds(10)) == 0)
    }

    @Test("the environment wins over the file, and a flag over both")
    func environmentOverFileFlagOverEnvironment() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let (fromFile, fromEnvironment, fromFlag) = (try FreePorts.one(), try FreePorts.one(), try FreePorts.one())
        let config = directory.appendingPathComponent("edge.yaml")
        try "data_dir: data\nbind: 127.0.0.1\nhostname: 127.0.0.1\nbase_port: 0\napi_port: \(fromFile)\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("data")
        for (arguments, expected) in [([String](), fromEnvironment), (["--api-port", "\(fromFlag)"], fromFlag)] {
            let (edge, ports) = try await Self.serve(
                ["--config", config.path, "--tunnel-port", "0", "--http-port", "0"] + arguments, dataDirectory: data,
                environment: ["PORTICO_API_PORT": "\(fromEnvironment)"], log: directory.appendingPathComponent("edge.log"))
            #expect(ports["api_port"] == expected)
            #expect(await edge.terminate(timeout: .seconds(10)) == 0)
            try? FileManager.default.removeItem(at: data.appendingPathComponent("edge.runtime.json"))
        }
    }

    @Test("mistakes in the file or the environment stop serve and the admin commands with file, line and key")
    func mistakesAreNamed() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("edge.yaml")
        func run(_ text: String, _ arguments: [String] = ["serve"], environment: [String: String] = [:]) async throws -> AgentRun {
            try text.write(to: config, atomically: true, encoding: .utf8)
            return try await AgentRun.run("edgeagent", arguments + ["--config", config.path], environment: environment)
        }
        let unknown = try await run("data_dir: /tmp/x\ntcp_port: 10000-10099\n")
        #expect(unknown.status != 0)
        #expect(unknown.error.contains("\(config.path) line 2: unknown key \"tcp_port\" (did you mean \"tcp_ports\"?)"), "\(unknown.error)")
        let badValue = try await run("base_port: 8443\napi_port: lots\n")
        #expect(badValue.error.contains("\(config.path) line 2: api_port: \"lots\" is not a whole number"), "\(badValue.error)")
        let syntax = try await run("base_port: [8443\n")
        #expect(syntax.status != 0 && syntax.error.contains("\(config.path) line "), "\(syntax.error)")
        let tab = try await run("base_port:\n\t8443\n")
        #expect(tab.error.contains("\(config.path) line 2, column 1: ") && tab.error.contains("indent with spaces, not tabs"), "\(tab.error)")
        let admin = try await run("data_dir: /tmp/x\nlog_levl: debug\n", ["home", "list"])
        #expect(admin.error.contains("line 2: unknown key \"log_levl\" (did you mean \"log_level\"?)"), "\(admin.error)")
        let environment = try await run("", environment: ["PORTICO_BASE_PORT": "70000"])
        #expect(environment.error.contains("PORTICO_BASE_PORT=70000 in the environment: 70000 is outside 0-65535"), "\(environment.error)")
        let missing = try await AgentRun.run("edgeagent", ["home", "list"], environment: ["PORTICO_CONFIG": directory.path + "/none.yaml"])
        #expect(missing.error.contains("no config file at \(directory.path)/none.yaml (named by PORTICO_CONFIG)"), "\(missing.error)")
    }
}

extension EdgeConfigFileProcessTests {
    @Test("with --data-dir or PORTICO_DATA_DIR the admin commands do not need to read the config file")
    func adminCommandsSkipAnUnneededFile() async throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("edge.yaml")
        try "not_a_key: 1\n".write(to: config, atomically: true, encoding: .utf8)
        let data = directory.appendingPathComponent("nothing-here").path
        let viaFlag = try await AgentRun.run(
            "edgeagent", ["home", "list", "--data-dir", data], environment: ["PORTICO_CONFIG": config.path])
        #expect(viaFlag.error.contains("no admin token in \(data)"), "\(viaFlag.error)")
        let viaEnvironment = try await AgentRun.run(
            "edgeagent", ["home", "list"], environment: ["PORTICO_CONFIG": config.path, "PORTICO_DATA_DIR": data])
        #expect(viaEnvironment.error.contains("no admin token in \(data)"), "\(viaEnvironment.error)")
        let viaFile = try await AgentRun.run("edgeagent", ["home", "list"], environment: ["PORTICO_CONFIG": config.path])
        #expect(viaFile.error.contains("unknown key \"not_a_key\""), "\(viaFile.error)")
    }
}
