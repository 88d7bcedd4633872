#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Foundation

/// The nice value the process was started with (`nice -n 10`, systemd
/// `Nice=`), and the means to give it back to threads that lost it.
///
/// On Linux the nice value belongs to each thread, and a new thread inherits
/// its creator's. libdispatch sets each worker thread's nice from its QoS
/// (default QoS: 0, utility: 2) whatever the process's was, so every thread
/// a worker creates, and every Swift concurrency thread (they are dispatch
/// workers), would run at the QoS value instead of the operator's. The
/// event-loop threads avoid this by being created from the main thread (see
/// `AgentProcess`); dispatch workers have no hook that runs when one starts,
/// so `restoreAllThreads()` puts them back after the fact.
public struct ProcessPriority: Sendable, Equatable {
    /// The nice value threads should run at, -20 (most favoured) to 19.
    public let nice: Int32

    public init(nice: Int32) {
        self.nice = nice
    }

    /// The calling thread's nice value. Called on the main thread before any
    /// dispatch work, this is the value the process was started with.
    public static func ofCallingThread() -> ProcessPriority {
        ProcessPriority(nice: Self.nice(ofThread: 0) ?? 0)
    }

    /// Sets every thread of this process that runs at another nice value
    /// back to `nice`. Cheap (one directory listing, one system call per
    /// thread), so it can run every second. A thread the kernel will not set
    /// back (lowering a nice value needs CAP_SYS_NICE or RLIMIT_NICE) keeps
    /// its QoS value.
    public func restoreAllThreads() {
        let threads = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        for case let thread? in threads.map({ id_t($0) }) {
            guard let current = Self.nice(ofThread: thread), current != nice else { continue }
            _ = setpriority(threadScope, thread, nice)
        }
    }

    /// On Linux `PRIO_PROCESS` with a thread id (0: the calling thread) reads
    /// that one thread's nice value. nil if the thread is gone.
    static func nice(ofThread thread: id_t) -> Int32? {
        errno = 0
        let value = getpriority(threadScope, thread)
        return value == -1 && errno != 0 ? nil : value
    }
}

/// `PRIO_PROCESS`, which on Linux names one thread when given a thread id.
#if os(Linux)
private let threadScope = __priority_which_t(PRIO_PROCESS.rawValue)
#else
private let threadScope = PRIO_PROCESS
#endif
