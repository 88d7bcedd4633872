// Runs the openssl CLI for interop tests: stdin is a pipe we write to, stdout and
// stderr go to files read as the test asks, and everything is bounded by timeouts.
// `stop()` (also run at deinit) kills the process, so no test leaves one behind.
// Started with posix_spawn (`SpawnedProcess`): Foundation's `Process.run()`
// crashed the test binary now and then while other tests launched processes.

import Foundation
import NIOCore
import TestSupport

final class TLSTestProcess {
    private let process: SpawnedProcess
    private let stdin: FileHandle
    private let outputPath: String
    private let errorPath: String

    init(_ arguments: [String]) throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("portico-openssl-\(UUID().uuidString)").path
        outputPath = base + ".out"
        errorPath = base + ".err"
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        // Close-on-exec: no other child may hold the write end open (the
        // spawn's dup2 gives openssl its stdin without the flag).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(ends[0]) }
        stdin = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        process = try SpawnedProcess("/usr/bin/openssl", arguments, input: ends[0], output: outputPath, error: errorPath)
    }

    /// openssl listening on a free loopback port: `arguments(port)` is
    /// tried on up to five ports, since a port found free can be taken
    /// (by any connection's local end) before openssl binds it.
    static func listening(
        group: EventLoopGroup, _ arguments: (Int) -> [String]
    ) async throws -> (TLSTestProcess, port: Int) {
        var attempt = 0
        while true {
            attempt += 1
            let port = try await tlsTestFreePort(group: group)
            let process = try TLSTestProcess(arguments(port))
            if try await process.waitForOutput("ACCEPT") || attempt == 5
                || !process.stderrText.contains("Address already in use")
            {
                return (process, port)
            }
            process.stop()
        }
    }

    deinit {
        stop()
        try? FileManager.default.removeItem(atPath: outputPath)
        try? FileManager.default.removeItem(atPath: errorPath)
    }

    var stdoutText: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    var stderrText: String { (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? "" }
    var isRunning: Bool { process.isRunning }
    var processIdentifier: Int32 { process.pid }

    func send(_ text: String) throws {
        try stdin.write(contentsOf: Data(text.utf8))
    }

    func closeStdin() throws {
        try stdin.close()
    }

    /// Waits until stdout (or stderr) contains `needle`; false once openssl
    /// exited, or made no progress (used no CPU, wrote nothing) for
    /// `timeout`: a start slowed by a loaded machine is waited for.
    func waitForOutput(_ needle: String, inStderr: Bool = false, timeout: Duration = .seconds(10)) async throws -> Bool {
        var deadline = ProgressDeadline(stall: timeout)
        while process.isRunning, !deadline.expired(observing: ProcessProgress(pid: process.pid, logs: [outputPath, errorPath])) {
            if (inStderr ? stderrText : stdoutText).contains(needle) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return (inStderr ? stderrText : stdoutText).contains(needle)
    }

    /// Waits for the process to exit by itself; returns its status, or nil on timeout.
    func waitForExit(timeout: Duration = .seconds(10)) async throws -> Int32? {
        await process.waitForExit(timeout: timeout)
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process immediately (SIGKILL: no close_notify, no FIN handshake from TLS).
    func kill() {
        process.killNow()
    }

    func stop() {
        try? stdin.close()
        if process.isRunning { kill() }
    }
}
