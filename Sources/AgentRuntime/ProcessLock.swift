#if canImport(Glibc)
import Glibc
#endif

/// A claim, for as long as this object lives, that this process alone runs
/// on some state on disk: an edge's data directory, a home's identity. A
/// second agent started on the same state fails at once, naming the first,
/// instead of serving beside it (two edges on one registry, two homes taking
/// one session over from each other forever).
///
/// An open-file-description lock (`F_OFD_SETLK`) on a file that is never
/// replaced: the kernel drops it when the process ends, however it ends, so
/// a crash leaves no stale lock; unlike `flock` it can be inspected without
/// being taken (``isHeld(_:)``), and unlike classic POSIX record locks it
/// also conflicts within one process (tests run several edges in one). The
/// holder's pid is written into the file, for the message.
public final class ProcessLock: Sendable {
    /// The lock file.
    public let path: String
    private let descriptor: Int32

    // Linux's values on every architecture; Glibc's module map leaves out
    // these GNU names.
    private static let getLock: Int32 = 36  // F_OFD_GETLK
    private static let setLock: Int32 = 37  // F_OFD_SETLK

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Takes the lock at `path` (creating the file, mode 0600), or throws
    /// ``ProcessLockError/held(path:pid:what:advice:)`` when another process
    /// (or another owner in this one) holds it. `what` names the state for
    /// the message ("the data directory /var/lib/portico"), `advice` says
    /// what to do ("stop it first, or give this edge its own --data-dir").
    public static func acquire(_ path: String, what: String, advice: String) throws(ProcessLockError) -> ProcessLock {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .unavailable(path: path, reason: String(cString: strerror(errno))) }
        var lock = wholeFile(F_WRLCK)
        guard fcntl(descriptor, setLock, &lock) == 0 else {
            let error = errno
            let holder = readPID(descriptor)
            close(descriptor)
            if error == EAGAIN || error == EACCES { throw .held(path: path, pid: holder, what: what, advice: advice) }
            throw .unavailable(path: path, reason: String(cString: strerror(error)))
        }
        // Best effort: the pid only improves the message a second process shows.
        let text = Array("\(getpid())\n".utf8)
        if ftruncate(descriptor, 0) == 0 { _ = text.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) } }
        return ProcessLock(path: path, descriptor: descriptor)
    }

    /// Whether some process holds the lock at `path` now. A missing or
    /// unreadable file counts as not held.
    public static func isHeld(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var lock = wholeFile(F_WRLCK)
        return fcntl(descriptor, getLock, &lock) == 0 && lock.l_type != Int16(F_UNLCK)
    }

    private static func wholeFile(_ type: Int32) -> flock {
        var lock = flock()
        lock.l_type = Int16(type)
        lock.l_whence = Int16(SEEK_SET)
        lock.l_start = 0
        lock.l_len = 0  // to the end, however long the file grows
        lock.l_pid = 0  // must be 0 for OFD locks
        return lock
    }

    /// The pid the holder wrote, if the file has one.
    private static func readPID(_ descriptor: Int32) -> Int32? {
        var bytes = [UInt8](repeating: 0, count: 16)
        let count = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        let digits = bytes[..<count].prefix { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
        return Int32(String(decoding: digits, as: UTF8.self)).flatMap { $0 > 0 ? $0 : nil }
    }
}

/// Why a ``ProcessLock`` could not be taken.
public enum ProcessLockError: Error, CustomStringConvertible {
    /// Another process (pid, when it wrote one) holds it.
    case held(path: String, pid: Int32?, what: String, advice: String)
    /// The lock file cannot be opened or locked at all.
    case unavailable(path: String, reason: String)

    public var description: String {
        switch self {
        case .held(let path, let pid, let what, let advice):
            let holder = pid.map { "another process (pid \($0))" } ?? "another process"
            return "\(holder) is already using \(what): \(advice) (lock file \(path))"
        case .unavailable(let path, let reason):
            return "cannot lock \(path): \(reason)"
        }
    }
}
