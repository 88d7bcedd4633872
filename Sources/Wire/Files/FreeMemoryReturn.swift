#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Gives memory the process freed back to the system.
///
/// A burst of buffering (clients that stop reading, then leave) frees many
/// mid-sized blocks; glibc keeps them in its arenas for reuse, so the
/// process's resident size would stay at its peak long after the burst.
/// `malloc_trim` releases the free pages of every arena. It costs about a
/// millisecond, so agents run it every few seconds, off the data path.
public enum FreeMemoryReturn {
    private typealias MallocTrim = @convention(c) (Int) -> Int32

    /// glibc's `malloc_trim` (its header is not part of the Glibc module).
    private static let mallocTrim: MallocTrim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: MallocTrim.self)
        #else
        return nil
        #endif
    }()

    /// Releases free heap pages now.
    public static func now() {
        _ = mallocTrim?(0)
    }

    /// Releases free heap pages every `interval` on `eventLoop` until cancelled.
    @discardableResult
    public static func every(_ interval: TimeAmount, on eventLoop: EventLoop) -> RepeatedTask {
        eventLoop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { _ in now() }
    }
}
