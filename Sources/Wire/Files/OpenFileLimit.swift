#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's limit on open file descriptors. Every public connection
/// costs the edge one descriptor and the home one more for its target, and
/// the usual soft limit of 1,024 would cap a home far below the streams its
/// session accepts; servers raise it to the hard limit the administrator set.
public enum OpenFileLimit {
    /// Raises the soft limit to the hard limit and returns the new soft limit
    /// (unchanged, and returned as is, when raising is not allowed).
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }
}
