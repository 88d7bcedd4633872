#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// A listening Unix socket that only its owner can connect to, from the
/// moment its file exists.
///
/// `bind` creates the file with the process umask; changing the mode
/// afterwards leaves a moment in which, under a permissive umask, another
/// local user could connect and ask the agent to reload or claim a domain.
/// On Linux the mode of the socket itself becomes the file's mode at bind,
/// so it is set first.
enum PrivateUnixSocket {
    /// A stream socket bound at `address` (a name for `path` that fits a
    /// socket address; see ``UnixSocketPath``), mode 0600. Errors name
    /// `path`. The caller owns the descriptor; NIO's `withBoundSocket` takes
    /// it over and starts listening.
    static func bind(_ address: String, naming path: String) throws -> NIOBSDSocket.Handle {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw PrivateUnixSocketError(path: path, call: "socket", errno: errno) }
        do {
            guard fchmod(descriptor, 0o600) == 0 else {
                throw PrivateUnixSocketError(path: path, call: "fchmod", errno: errno)
            }
            let socketAddress = try SocketAddress(unixDomainSocketPath: address)
            let bound = socketAddress.withSockAddr { Glibc.bind(descriptor, $0, socklen_t($1)) }
            guard bound == 0 else { throw PrivateUnixSocketError(path: path, call: "bind", errno: errno) }
            return descriptor
        } catch {
            close(descriptor)
            throw error
        }
    }
}

struct PrivateUnixSocketError: Error, CustomStringConvertible {
    var path: String
    var call: String
    var errno: Int32

    var description: String { "control socket \(path): \(call) failed: \(String(cString: strerror(errno)))" }
}
