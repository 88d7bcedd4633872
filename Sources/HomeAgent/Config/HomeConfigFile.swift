#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the config file on disk, with the safety rules that the
/// file's contents (it names the home's private key) call for.
///
/// - Loading refuses a config, or the key file it names, that group or others
///   can read or write: the message includes the `chmod 600` that fixes it.
/// - Loading refuses files over ``maximumSize`` before parsing anything.
/// - Saving is atomic: a temporary file in the same directory, created 0600
///   (never briefly readable by others), written, flushed, then renamed over
///   the config. A crash leaves either the old file or the new one, never
///   half of one. Comments in the old file are not carried over.
enum HomeConfigFile {
    /// 1 MiB: a real config is well under 10 KiB.
    static let maximumSize = 1 << 20

    /// The first line of every saved file, so that hand editors know their
    /// comments will not survive `homeagent expose`.
    static let header = "# Portico home agent config (YAML). homeagent rewrites this file; comments are not kept.\n"

    /// Loads, parses and validates the config at `path`, then checks the key file it names.
    static func load(path: String) throws(HomeConfigError) -> HomeConfig {
        let bytes = try readPrivateFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .notUTF8 }
        let config = try HomeConfig(yaml: text)
        try checkKeyFile(config.paths(relativeTo: path).key)
        return config
    }

    /// Validates `config` and writes it to `path` atomically with mode 0600.
    static func save(_ config: HomeConfig, to path: String) throws(HomeConfigError) {
        let text = header + (try config.yaml())
        let directory = HomeConfig.directory(of: path)
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let temporary = "\(directory)/.\(name).tmp-\(UInt64.random(in: 0...UInt64.max))"
        func failure(_ step: String) -> HomeConfigError {
            let reason = "\(step): \(String(cString: strerror(errno)))"
            unlink(temporary)
            return .cannotWrite(path: path, reason: reason)
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else {
            throw .cannotWrite(path: path, reason: "cannot create a file in \(directory): \(String(cString: strerror(errno)))")
        }
        // The umask can only clear bits of 0600; set it exactly anyway.
        guard fchmod(fd, 0o600) == 0, writeAll(fd, Array(text.utf8)), fsync(fd) == 0 else {
            let error = failure("writing \(temporary)")
            close(fd)
            throw error
        }
        guard close(fd) == 0 else { throw failure("closing \(temporary)") }
        guard rename(temporary, path) == 0 else { throw failure("renaming \(temporary) over it") }
        // Make the rename itself durable; a failure here loses nothing already written.
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The bytes of a regular file that only its owner can access, at most ``maximumSize``.
    private static func readPrivateFile(_ path: String) throws(HomeConfigError) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO by mistake must not hang; fstat refuses it next.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw .cannotRead(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .cannotRead(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .cannotRead(path: path, reason: "not a regular file") }
        let mode = UInt16(info.st_mode & 0o7777)
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode) }
        guard info.st_size <= maximumSize else { throw .tooLarge(path: path, size: Int(info.st_size)) }
        // Read one byte past the limit in case the file grew after fstat.
        var bytes = [UInt8](repeating: 0, count: maximumSize + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + filled, $0.count - filled) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .cannotRead(path: path, reason: String(cString: strerror(errno)))
            }
            filled += count
        }
        guard filled <= maximumSize else { throw .tooLarge(path: path, size: filled) }
        return Array(bytes[..<filled])
    }

    /// The key file must exist and be private; the TLS layer reads it later.
    private static func checkKeyFile(_ path: String) throws(HomeConfigError) {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw .invalid(location: "key", problem: "cannot use key file \(path): \(String(cString: strerror(errno)))")
        }
        let mode = UInt16(info.st_mode & 0o7777)
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode) }
    }

    /// Writes every byte, retrying short writes and interrupted calls.
    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, $0.count - written) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return false }
            written += count
        }
        return true
    }
}
