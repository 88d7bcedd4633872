#if canImport(Glibc)
import Glibc
#endif

/// A Unix socket address holds at most 107 bytes of path (`sun_path`), but the
/// control socket lives next to the config, which may sit deeper than that
/// (a home directory on a NAS, a CI workspace).
///
/// A longer path is reached through a descriptor of its directory: on Linux
/// `/proc/self/fd/N` is a link to the open directory, so binding or
/// connecting to `/proc/self/fd/N/homeagent.sock` acts on the real file. The
/// agent and the CLI both do this, so they meet at the same socket whatever
/// its length, without a second location that another user or systemd's
/// PrivateTmp would hide from one of them.
enum UnixSocketPath {
    /// `sizeof(sun_path)` less the terminating NUL.
    static let maximumLength = 107

    /// Runs `body` with a name for `path` that fits a socket address: `path`
    /// itself when it is short enough, otherwise a `/proc/self/fd` name valid
    /// while `body` runs.
    static func withAddressable<T>(_ path: String, _ body: (String) async throws -> T) async throws -> T {
        guard path.utf8.count > maximumLength else { return try await body(path) }
        let (directory, name) = split(path)
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw UnixSocketPathError(path: path, reason: "cannot open its directory: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        let short = "/proc/self/fd/\(descriptor)/\(name)"
        guard short.utf8.count <= maximumLength else {
            throw UnixSocketPathError(path: path, reason: "its file name is longer than a Unix socket address allows")
        }
        return try await body(short)
    }

    private static func split(_ path: String) -> (directory: String, name: String) {
        guard let slash = path.lastIndex(of: "/") else { return (".", path) }
        let directory = String(path[..<slash])
        return (directory.isEmpty ? "/" : directory, String(path[path.index(after: slash)...]))
    }
}

struct UnixSocketPathError: Error, CustomStringConvertible {
    var path: String
    var reason: String

    var description: String { "control socket \(path): \(reason)" }
}
