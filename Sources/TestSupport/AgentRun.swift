import Foundation

/// Runs one of the built agent binaries (next to this test binary) to
/// completion, bounded in time: an overrunning process is killed by PID.
public struct AgentRun: Sendable {
    public var status: Int32
    public var output: String
    public var error: String

    /// The path of a built product, e.g. `edgeagent`.
    public static func binary(_ name: String) -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent(name).path
    }

    /// The program and arguments that run agent `name` with `arguments`,
    /// under `nice -n niceness` if given (nice execs the agent, so the PID
    /// started is the agent's).
    public static func command(_ name: String, _ arguments: [String], niceness: Int? = nil) -> (String, [String]) {
        guard let niceness else { return (binary(name), arguments) }
        return ("/usr/bin/nice", ["-n", "\(niceness)", binary(name)] + arguments)
    }

    /// Async, and polls with `Task.sleep`: a blocking wait here would hold one
    /// of the few cooperative threads that an in-process edge under test needs.
    /// `environment` adds variables to the agent's environment (`PORTICO_DATA_DIR`).
    public static func run(
        _ name: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(20)
    ) async throws -> AgentRun {
        try await tool(binary(name), arguments, environment: environment, timeout: timeout)
    }

    /// Runs any program (`/usr/bin/curl`, `/usr/bin/openssl`) the same way.
    /// `timeout` is how long it may go without progress (CPU used, output
    /// written) before it is killed, not a bound on its run: a command
    /// slowed by a loaded machine finishes, a hung one is stopped.
    public static func tool(
        _ path: String, _ arguments: [String], environment: [String: String] = [:], timeout: Duration = .seconds(20)
    ) async throws -> AgentRun {
        // Files rather than pipes: a pipe read only after exit would block a
        // child whose output outgrows the pipe buffer.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("portico-run-\(UUID().uuidString)")
        let outPath = base.path + ".out"
        let errPath = base.path + ".err"
        defer {
            try? FileManager.default.removeItem(atPath: outPath)
            try? FileManager.default.removeItem(atPath: errPath)
        }
        let process = try SpawnedProcess(path, arguments, output: outPath, error: errPath, environment: environment)
        await process.waitForExit(stallingFor: timeout, logs: [outPath, errPath])
        if process.isRunning { await process.killAndWait() }
        return AgentRun(
            status: process.terminationStatus,
            output: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
            error: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
    }
}

/// A running `edgeagent serve` on loopback with its own data directory and
/// system-chosen ports (read back from edge.runtime.json), or the ports of
/// an earlier run (`restarting`), so homes find it again. Stopped by PID.
public final class EdgeServerProcess: @unchecked Sendable {
    // @unchecked: the ports are written once in `waitUntilReady`, before any
    // test reads them; `Process` is only started and killed.

    /// The ports an edge bound.
    public struct Ports: Sendable, Equatable {
        public var api = 0
        public var tunnel = 0
        public var https = 0
        public var http = 0
    }

    public let directory: URL
    public let tcpPorts: ClosedRange<Int>
    public let logFile: URL
    private let process: SpawnedProcess
    public private(set) var ports = Ports()
    public var apiPort: Int { ports.api }
    public var tunnelPort: Int { ports.tunnel }

    /// `tcpPorts` defaults to a free range of 20 ports; `niceness` starts
    /// the edge under `nice -n`.
    public init(
        directory: URL? = nil, ports fixed: Ports? = nil, tcpPorts: ClosedRange<Int>? = nil, arguments: [String] = [],
        niceness: Int? = nil
    ) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("portico-serve-\(UUID().uuidString)")
        self.tcpPorts = try tcpPorts ?? FreePorts.range(count: 20)
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        logFile = self.directory.appendingPathComponent("edge-\(UUID().uuidString.prefix(8)).log")
        let ports = fixed ?? Ports()
        let serveArguments = ["serve", "--data-dir", self.directory.path, "--bind", "127.0.0.1", "--hostname", "127.0.0.1",
                             "--tunnel-port", "\(ports.tunnel)", "--api-port", "\(ports.api)",
                             "--https-port", "\(ports.https)", "--http-port", "\(ports.http)",
                             "--tcp-ports", "\(self.tcpPorts.lowerBound)-\(self.tcpPorts.upperBound)"] + arguments
        try? FileManager.default.removeItem(at: self.directory.appendingPathComponent("edge.runtime.json"))
        let (executable, commandLine) = AgentRun.command("edgeagent", serveArguments, niceness: niceness)
        process = try SpawnedProcess(executable, commandLine, output: logFile.path, error: logFile.path)
    }

    /// A new edge on the same data directory and ports as `previous`, which must have stopped.
    public static func restarting(_ previous: EdgeServerProcess) throws -> EdgeServerProcess {
        try EdgeServerProcess(directory: previous.directory, ports: previous.ports, tcpPorts: previous.tcpPorts)
    }

    /// Waits until the edge wrote its ports. Gives up when the edge exits,
    /// or when its start stalls: `timeout` without using CPU or logging
    /// (`ProgressDeadline`), so a start slowed by a loaded machine is waited
    /// for and a stuck one still fails.
    public func waitUntilReady(timeout: Duration = .seconds(20)) async throws {
        var deadline = ProgressDeadline(stall: timeout)
        let runtime = directory.appendingPathComponent("edge.runtime.json")
        while !deadline.expired(observing: ProcessProgress(pid: process.pid, logs: [logFile.path])) {
            guard process.isRunning else { throw EdgeServerFailure("edgeagent serve exited with status \(process.terminationStatus): \(log.suffix(2000))") }
            if let data = try? Data(contentsOf: runtime),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int],
                let api = object["api_port"], let tunnel = object["tunnel_port"]
            {
                ports = Ports(api: api, tunnel: tunnel, https: object["https_port"] ?? 0, http: object["http_port"] ?? 0)
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw EdgeServerFailure("edgeagent serve did not become ready: \(deadline.reason); log: \(log.suffix(2000))")
    }

    public var pid: Int32 { process.pid }
    public var isRunning: Bool { process.isRunning }
    public var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// SIGTERM, then the exit status (nil if it did not exit within the timeout; then SIGKILL).
    public func terminate(timeout: Duration = .seconds(10)) async -> Int32? {
        await process.terminate(timeout: timeout)
    }

    public func killHard() async {
        await process.killAndWait()
    }

    /// Waits for an edge already told to stop to exit on its own (no
    /// further signal: a second SIGTERM would cut its drain short); the exit
    /// status, or nil (and SIGKILL) if it did not exit within `timeout`.
    public func waitForExit(timeout: Duration) async -> Int32? {
        await process.waitForExit(timeout: timeout)
        guard process.isRunning else { return process.terminationStatus }
        await process.killAndWait()
        return nil
    }

    deinit {
        process.killNow()
    }

    public func removeData() { try? FileManager.default.removeItem(at: directory) }
}

public struct EdgeServerFailure: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
