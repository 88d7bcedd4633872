#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import NIOCore
import NIOPosix

extension EdgeConnectionError {
    /// NIO's connect error as a short phrase (`Connection refused`, `no
    /// answer within 5 s`), instead of its multi-target debug dump.
    static func connectReason(_ error: any Error, timeout: TimeAmount) -> String {
        if case ChannelError.connectTimeout = error {
            return "no answer within \(timeout.nanoseconds / 1_000_000_000) s"
        }
        if let error = error as? NIOConnectionError {
            if let failure = error.connectionErrors.first {
                return connectReason(failure.error, timeout: timeout)
            }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "cannot resolve \(error.host)"
            }
        }
        if let error = error as? IOError {
            return String(cString: strerror(error.errnoCode))
        }
        return "\(error)"
    }
}
