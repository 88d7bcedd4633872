// Runs the openssl CLI for interop tests: stdin is a pipe we write to, stdout and
// stderr are collected as they arrive, and everything is bounded by timeouts.
// `stop()` (also run at deinit) kills the process, so no test leaves one behind.

import TestSupport
import Foundation
import Synchronization

final class TLSTestProcess {
    private let process = Process()
    private let stdin = Pipe()
    private let output = TLSTestOutput()

    init(_ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        let output = self.output
        stdout.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData, stderr: false) }
        stderr.fileHandleForReading.readabilityHandler = { handle in output.append(handle.availableData, stderr: true) }
        try ProcessLaunch.run(process)
    }

    deinit { stop() }

    var stdoutText: String { output.text(stderr: false) }
    var stderrText: String { output.text(stderr: true) }
    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.processIdentifier }

    func send(_ text: String) throws {
        try stdin.fileHandleForWriting.write(contentsOf: Data(text.utf8))
    }

    func closeStdin() throws {
        try stdin.fileHandleForWriting.close()
    }

    /// Waits until stdout (or stderr) contains `needle`; false on timeout or exit.
    func waitForOutput(_ needle: String, inStderr: Bool = false, timeout: Duration = .seconds(10)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.text(stderr: inStderr).contains(needle) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return output.text(stderr: inStderr).contains(needle)
    }

    /// Waits for the process to exit by itself; returns its status, or nil on timeout.
    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process immediately (SIGKILL: no close_notify, no FIN handshake from TLS).
    func kill() {
        process.killNow()
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning { kill() }
    }
}

/// Output collected from readability handlers on Foundation's threads.
final class TLSTestOutput: Sendable {
    private let buffers = Mutex<(stdout: Data, stderr: Data)>((Data(), Data()))

    func append(_ data: Data, stderr: Bool) {
        buffers.withLock { if stderr { $0.stderr.append(data) } else { $0.stdout.append(data) } }
    }

    func text(stderr: Bool) -> String {
        buffers.withLock { String(decoding: stderr ? $0.stderr : $0.stdout, as: UTF8.self) }
    }
}
