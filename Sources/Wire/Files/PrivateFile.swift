#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files that hold secrets (keys, tokens, the home's config) or must never be
/// half-written, for both agents.
///
/// Writes create a temporary file in the same directory with its final mode
/// from the first byte (never chmod afterwards: no moment in which a secret is
/// readable), write, fsync, rename over the target and fsync the directory,
/// so a crash leaves the old file or the new one, never half of one. Reads
/// check the mode of the file actually opened (fstat on the descriptor, not
/// stat on the path), so a swap between check and read cannot slip a readable
/// file past the check.
public enum PrivateFile {
    /// Why a read or write failed; callers map it to their own errors.
    public enum Failure: Error, Equatable, Sendable {
        case notFound(path: String)
        case notARegularFile(path: String)
        /// Group or others may access the file; `mode` is its permission bits.
        case insecurePermissions(path: String, mode: UInt32)
        case tooLarge(path: String, size: Int)
        case io(path: String, operation: String, reason: String)
    }

    /// Replaces `path` with `bytes` atomically; the file has `mode` from creation.
    ///
    /// A file replaced by root keeps its owner and group: an operator who runs
    /// `homeagent expose` with sudo must not leave the config of an agent
    /// running as `portico` owned by root, unreadable at its next start.
    public static func write(_ bytes: [UInt8], to path: String, mode: mode_t) throws(Failure) {
        var replaced = stat()
        let keepOwner = geteuid() == 0 && lstat(path, &replaced) == 0
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]) }.map { $0.isEmpty ? "/" : $0 } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        let temporary = "\(directory)/.\(name).\(UInt64.random(in: 0 ... .max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw ioFailure(temporary, "create") }
        var closed = false
        do throws(Failure) {
            // The umask can only clear bits of `mode`; set it exactly anyway.
            guard fchmod(fd, mode) == 0 else { throw ioFailure(temporary, "set the mode of") }
            if keepOwner {
                guard fchown(fd, replaced.st_uid, replaced.st_gid) == 0 else { throw ioFailure(temporary, "set the owner of") }
            }
            try writeAll(bytes, to: fd, path: temporary)
            guard fsync(fd) == 0 else { throw ioFailure(temporary, "flush") }
            closed = true
            guard close(fd) == 0 else { throw ioFailure(temporary, "close") }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let failure = ioFailure(path, "replace")
            unlink(temporary)
            throw failure
        }
        // Make the rename itself durable; a failure here loses nothing already written.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    /// The contents of the regular file at `path`, at most `maximumSize` bytes.
    /// With `requirePrivate`, refuses a file that group or others can access.
    public static func read(_ path: String, maximumSize: Int, requirePrivate: Bool) throws(Failure) -> [UInt8] {
        // O_NONBLOCK: opening a FIFO by mistake must not hang; fstat refuses it next.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else {
            if errno == ENOENT { throw .notFound(path: path) }
            throw ioFailure(path, "read")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioFailure(path, "inspect") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        if requirePrivate, info.st_mode & 0o077 != 0 {
            throw .insecurePermissions(path: path, mode: UInt32(info.st_mode) & 0o7777)
        }
        guard info.st_size <= maximumSize else { throw .tooLarge(path: path, size: Int(info.st_size)) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR || errno == EAGAIN { continue }
            guard count >= 0 else { throw ioFailure(path, "read") }
            if count == 0 { return bytes }
            bytes += chunk.prefix(count)
            // The file may have grown after fstat.
            guard bytes.count <= maximumSize else { throw .tooLarge(path: path, size: bytes.count) }
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw ioFailure(path, "write") }
            offset += written
        }
    }

    private static func ioFailure(_ path: String, _ operation: String) -> Failure {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}

// At file scope, so the names resolve to the C functions rather than members.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
