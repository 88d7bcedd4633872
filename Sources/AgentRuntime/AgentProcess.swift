#if canImport(Glibc)
import Glibc
#endif

import NIOCore
import NIOPosix
import Wire

/// What one agent process shares among all its parts: the one event-loop
/// group every listener, connection and client of the executable runs on,
/// and the priority its threads keep.
///
/// `start()` must be the first thing the executable's `main` does, on the
/// main thread and before its first `await`: a thread inherits the nice
/// value of the thread that creates it, and only the main thread still has
/// the process's (see `ProcessPriority`). Created later, from a Task or a
/// dispatch queue, the event-loop threads would run at the dispatch worker's
/// QoS value instead: nice 0 under `nice -n 10`.
public enum AgentProcess {
    /// How often threads that libdispatch moved off the process's nice value
    /// are set back: workers it starts run at their QoS value until then.
    public static let priorityCheckInterval = TimeAmount.seconds(1)

    private struct Shared: Sendable {
        let priority: ProcessPriority
        let eventLoopGroup: MultiThreadedEventLoopGroup

        init() {
            priority = .ofCallingThread()
            // NIO creates every event-loop thread here, synchronously, so
            // they inherit the calling thread's nice value.
            eventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: System.coreCount)
        }
    }

    // A global's initializer runs once, on the thread that first reads it:
    // `start()` makes that the main thread.
    private static let shared = Shared()

    /// Sets OpenSSL up without its clean-up at exit (`OpenSSLLibrary`),
    /// creates the event-loop group, records the process's priority and
    /// starts setting threads back to it. Call once, first in `main`, on the
    /// main thread, before any `await`. (Tests that only use the group do
    /// not call it: their process's threads are left alone.)
    public static func start() {
        // A reload asked for while the agent is still starting (systemd's
        // `reload` right after `start`) must not end it: SIGHUP's default
        // action would, until the reload service traps it.
        signal(SIGHUP, SIG_IGN)
        OpenSSLLibrary.initialize()
        let priority = shared.priority
        // Never cancelled: it lives as long as the process does.
        shared.eventLoopGroup.next().scheduleRepeatedTask(initialDelay: .zero, delay: priorityCheckInterval) { _ in
            priority.restoreAllThreads()
        }
    }

    /// The executable's one event-loop group. Never shut down: it lives as
    /// long as the process. Read before `start()` (a test process), it is
    /// created on the reading thread and inherits that thread's nice value,
    /// which may be a low-QoS worker's: tests pass their own group instead.
    public static var eventLoopGroup: MultiThreadedEventLoopGroup { shared.eventLoopGroup }

    /// The nice value the process was started with.
    public static var priority: ProcessPriority { shared.priority }
}
