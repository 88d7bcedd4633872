import TestSupport
import Foundation

/// Runs one of the built agent binaries (next to this test binary) to
/// completion, bounded in time: an overrunning process is killed by PID.
struct AgentRun {
    var status: Int32
    var output: String
    var error: String

    /// The path of a built product, e.g. `edgeagent`.
    static func binary(_ name: String) -> String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        if directory.lastPathComponent.hasSuffix(".xctest") { directory.deleteLastPathComponent() }
        return directory.appendingPathComponent(name).path
    }

    /// Async, and polls with `Task.sleep`: a blocking wait here would hold one
    /// of the few cooperative threads that an in-process edge under test needs.
    static func run(_ name: String, _ arguments: [String], timeout: Duration = .seconds(20)) async throws -> AgentRun {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary(name))
        process.arguments = arguments
        // Files rather than pipes: a pipe read only after exit would block a
        // child whose output outgrows the pipe buffer.
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("portico-run-\(UUID().uuidString)")
        let outURL = base.appendingPathExtension("out")
        let errURL = base.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        process.standardInput = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
        }
        return AgentRun(
            status: process.terminationStatus,
            output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
            error: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }
}

/// A running `edgeagent serve` on loopback with its own data directory and
/// system-chosen ports (read back from edge.runtime.json). Stopped by PID.
final class EdgeServerProcess {
    let directory: URL
    private let process = Process()
    private(set) var apiPort = 0
    private(set) var tunnelPort = 0

    init(directory: URL? = nil) throws {
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("portico-serve-\(UUID().uuidString)")
        process.executableURL = URL(fileURLWithPath: AgentRun.binary("edgeagent"))
        process.arguments = ["serve", "--data-dir", self.directory.path, "--bind", "127.0.0.1", "--hostname", "127.0.0.1",
                             "--tunnel-port", "0", "--api-port", "0"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try? FileManager.default.removeItem(at: self.directory.appendingPathComponent("edge.runtime.json"))
        try ProcessLaunch.run(process)
    }

    /// Waits until the edge wrote its ports and its API answers.
    func waitUntilReady(timeout: Duration = .seconds(20)) async throws {
        let deadline = ContinuousClock.now + timeout
        let runtime = directory.appendingPathComponent("edge.runtime.json")
        while ContinuousClock.now < deadline {
            guard process.isRunning else { throw EdgeServerFailure("edgeagent serve exited with status \(process.terminationStatus)") }
            if let data = try? Data(contentsOf: runtime),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Int],
                let api = object["api_port"], let tunnel = object["tunnel_port"]
            {
                apiPort = api
                tunnelPort = tunnel
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw EdgeServerFailure("edgeagent serve did not become ready within \(timeout)")
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    /// SIGTERM, then the exit status (nil if it did not exit within the timeout; then SIGKILL).
    func terminate(timeout: Duration = .seconds(10)) -> Int32? {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning {
            killHard()
            return nil
        }
        return process.terminationStatus
    }

    func killHard() {
        process.killAndReap()
    }

    deinit {
        killHard()
    }

    func removeData() { try? FileManager.default.removeItem(at: directory) }
}

struct EdgeServerFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
