import Foundation
import TestSupport

/// A running `homeagent run` for one config, logging to a file the tests
/// read, at debug so that the log names every connection the agent served.
/// Stopped by PID.
final class HomeAgentProcess: @unchecked Sendable {
    // @unchecked: `Process` is only started, signalled and reaped.

    let config: String
    let logFile: URL
    private let process: SpawnedProcess

    init(config: String, arguments: [String] = [], niceness: Int? = nil) throws {
        self.config = config
        logFile = URL(fileURLWithPath: config).deletingLastPathComponent()
            .appendingPathComponent("run-\(UUID().uuidString.prefix(8)).log")
        let (executable, commandLine) = AgentRun.command(
            "homeagent", ["run", "--config", config, "--log-level", "debug"] + arguments, niceness: niceness)
        process = try SpawnedProcess(executable, commandLine, output: logFile.path, error: logFile.path)
    }

    var pid: Int32 { process.pid }
    var isRunning: Bool { process.isRunning }
    var log: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    /// What `homeagent status --json` reports, asked directly on the agent's
    /// control socket (no process per poll: tests poll often): a code like
    /// the command's exit status (0 healthy, 1 not running, 2 running but not
    /// connected or a forward rejected) and the status document.
    func status() async throws -> (code: Int32, document: [String: Any]?) {
        let socket = URL(fileURLWithPath: config).deletingPathExtension().appendingPathExtension("sock").path
        guard let reply = try? await ControlSocketProbe.request(#"{"command":"status"}"#, path: socket),
            let object = try? JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any],
            let document = object["status"] as? [String: Any]
        else { return (1, nil) }
        let forwards = document["forwards"] as? [[String: Any]] ?? []
        let placed = forwards.allSatisfy { $0["public_address"] is String && ($0["error"] == nil || $0["error"] is NSNull) }
        return (document["state"] as? String == "connected" && placed ? 0 : 2, document)
    }

    /// Waits until the agent is connected with every forward placed. Gives
    /// up when the agent exits, or after `timeout` in which its log (at
    /// debug, a line for each step of a connect and sync) did not grow: a
    /// connect slowed by a loaded machine is waited for, a stuck one fails.
    /// Its CPU time is no measure here: the polls themselves cost it some.
    func waitUntilHealthy(timeout: Duration = .seconds(20)) async throws {
        var deadline = ProgressDeadline(stall: timeout)
        var last: [String: Any]?
        while !deadline.expired(observing: ProcessProgress(pid: process.pid, logs: [logFile.path], countingCPU: false)) {
            guard process.isRunning else {
                throw EdgeServerFailure("homeagent run exited with status \(process.terminationStatus): \(log.suffix(2000))")
            }
            let (code, document) = try await status()
            if code == 0 { return }
            last = document ?? last
            try await Task.sleep(for: .milliseconds(100))
        }
        let lastStatus = last.map { "\($0)" } ?? "no answer on its control socket"
        throw EdgeServerFailure(
            "homeagent did not become healthy: \(deadline.reason); last status: \(lastStatus); log: \(log.suffix(2000))")
    }

    /// The public address the edge gave a forward, from `status --json`.
    func publicAddress(of forward: String) async throws -> String? {
        let forwards = try await status().document?["forwards"] as? [[String: Any]] ?? []
        return forwards.first { $0["name"] as? String == forward }?["public_address"] as? String
    }

    /// The public TCP port the edge gave a `tcp` forward.
    func publicPort(of forward: String) async throws -> Int {
        guard let address = try await publicAddress(of: forward),
            let port = address.split(separator: ":").last.flatMap({ Int($0) })
        else { throw EdgeServerFailure("forward \(forward) has no public port: \(log.suffix(1000))") }
        return port
    }

    func signal(_ number: Int32) {
        process.signal(number)
    }

    /// SIGTERM and the exit status, or nil (then SIGKILL) after `timeout`.
    func terminate(timeout: Duration = .seconds(15)) async -> Int32? {
        await process.terminate(timeout: timeout)
    }

    func killHard() async {
        await process.killAndWait()
    }

    deinit {
        process.killNow()
    }
}
