import Foundation
import Synchronization

/// A child process started with `posix_spawn`, for every server and tool the
/// tests start. Foundation's `Process.run()` crashed the test binary now and
/// then (a memcpy inside it) while many tests launched processes at once,
/// even behind a lock; this launcher keeps no shared state beyond the
/// kernel's, and no test uses `Process` any more.
///
/// Output goes to files (or /dev/null), never pipes, so a child can never
/// block on a full pipe nobody reads; no other descriptor is inherited. The child starts with default signal
/// handling and an empty signal mask whatever the spawning thread had.
public final class SpawnedProcess: Sendable {
    public let pid: pid_t
    private let exitStatus = Mutex<Int32?>(nil)

    public struct SpawnError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `output` receives stdout, `error` stderr (the same path for both joins
    /// them); nil discards. Files are created 0600 and appended to. `input`,
    /// a descriptor such as a pipe's read end, becomes stdin (else /dev/null).
    /// `environment` is added to (or overrides) this process's environment.
    public init(
        _ executable: String, _ arguments: [String], input: Int32? = nil, output: String? = nil, error: String? = nil,
        environment: [String: String] = [:]
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        let flags = O_WRONLY | O_CREAT | O_APPEND
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", flags, 0o600)
        if let error, error == output {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, error ?? "/dev/null", flags, 0o600)
        }
        // Nothing else of ours may leak into the child: a socket it inherits
        // stays open after we close it, and the peer never sees the close.
        guard spawnActionCloseFrom(&actions, 3) == 0 else {
            throw SpawnError(description: "posix_spawn_file_actions_addclosefrom_np failed")
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGHUP, SIGPIPE, SIGCHLD, SIGQUIT] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result: Int32
        if environment.isEmpty {
            result = posix_spawn(&child, executable, &actions, &attributes, argv, environ)
        } else {
            let merged = ProcessInfo.processInfo.environment.merging(environment) { _, added in added }
            let envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        }
        guard result == 0 else {
            throw SpawnError(description: "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        pid = child
    }

    /// Whether the child still runs; reaps it once it exited.
    public var isRunning: Bool {
        exitStatus.withLock { status in
            guard status == nil else { return false }
            var raw: Int32 = 0
            let reaped = waitpid(pid, &raw, WNOHANG)
            if reaped == pid {
                let signal = raw & 0x7F
                status = signal == 0 ? (raw >> 8) & 0xFF : signal
            } else if reaped < 0 {
                status = -1  // not our child any more: nothing to wait for
            }
            return status == nil
        }
    }

    /// The exit code, or the number of the signal that ended it; -1 while it runs.
    public var terminationStatus: Int32 {
        _ = isRunning
        return exitStatus.withLock { $0 ?? -1 }
    }

    public func signal(_ number: Int32) {
        if isRunning { kill(pid, number) }
    }

    /// SIGKILL without waiting (for `deinit`).
    public func killNow() {
        signal(SIGKILL)
    }

    /// SIGKILL, then suspends until it is gone (at most `timeout`).
    public func killAndWait(timeout: Duration = .seconds(5)) async {
        killNow()
        await waitForExit(timeout: timeout)
    }

    /// SIGTERM, then the exit status once it exited; nil (and SIGKILL) if it
    /// did not exit within `timeout`.
    public func terminate(timeout: Duration) async -> Int32? {
        guard isRunning else { return terminationStatus }
        kill(pid, SIGTERM)
        await waitForExit(timeout: timeout)
        if isRunning {
            await killAndWait()
            return nil
        }
        return terminationStatus
    }

    /// Suspends (never blocks) until the child exited or `timeout` passed.
    public func waitForExit(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(5)) }
    }

    /// Suspends until the child exited, or made no progress (used no CPU,
    /// wrote nothing to `logs`) for `stall`: a run slowed by a loaded
    /// machine is waited for, a hung one is not (`ProgressDeadline`).
    public func waitForExit(stallingFor stall: Duration, logs: [String]) async {
        var deadline = ProgressDeadline(stall: stall)
        while isRunning, !deadline.expired(observing: ProcessProgress(pid: pid, logs: logs)) {
            try? await Task.sleep(for: .milliseconds(5))
        }
    }
}

/// glibc 2.34+'s `posix_spawn_file_actions_addclosefrom_np`, which the Glibc
/// module does not export to Swift (a GNU extension).
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
private func spawnActionCloseFrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ from: Int32) -> Int32
