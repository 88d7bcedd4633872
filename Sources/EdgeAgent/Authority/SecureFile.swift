// The edge's data directory holds its CA key, tunnel key and admin token, so
// files are created with their final mode from the first byte (open with 0600,
// never chmod afterwards: there is no window in which a secret is readable) and
// replaced atomically (temp file, fsync, rename, fsync the directory), so a
// crash leaves either the old file or the new one, never half of one. Reads of
// secret files check the mode of the file actually opened (fstat on the
// descriptor, not stat on the path), so a swap between check and read cannot
// slip a readable file past the check.

import Foundation

/// Private-file primitives for the edge's data directory.
enum SecureFile {
    /// Larger files are not ours (keys, certificates and tokens are a few KB).
    static let maximumSize = 1 << 20

    /// Creates `directory` with mode 0700 if it does not exist (parents with default modes).
    /// Returns whether it was created.
    @discardableResult
    static func ensureDirectory(_ directory: URL) throws(AuthorityError) -> Bool {
        let path = directory.path
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else {
                throw .inconsistent(path: path, problem: "exists but is not a directory",
                                    fix: "choose another data directory or move the file away")
            }
            return false
        }
        let parent = directory.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw .io(path: parent.path, operation: "create directory", reason: "\(error.localizedDescription)")
        }
        guard mkdir(path, 0o700) == 0 || errno == EEXIST else { throw ioError(path, "create directory") }
        return true
    }

    /// The contents of `url`, or nil if it does not exist. With `secret`, refuses a
    /// file that group or others can access.
    static func read(_ url: URL, secret: Bool) throws(AuthorityError) -> [UInt8]? {
        let path = url.path
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw ioError(path, "read")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ioError(path, "inspect") }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .notARegularFile(path: path) }
        if secret, info.st_mode & 0o077 != 0 {
            throw .insecurePermissions(path: path, mode: UInt32(info.st_mode) & 0o7777)
        }
        guard info.st_size <= maximumSize else {
            throw .malformed(path: path, problem: "\(info.st_size) bytes is too large")
        }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = chunk.withUnsafeMutableBytes { systemRead(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw ioError(path, "read") }
            if count == 0 { return bytes }
            bytes += chunk.prefix(count)
            guard bytes.count <= maximumSize else { throw .malformed(path: path, problem: "file is too large") }
        }
    }

    /// Replaces `url` with `bytes` atomically; the file has `mode` from creation.
    static func write(_ bytes: [UInt8], to url: URL, mode: mode_t) throws(AuthorityError) {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = "\(directory)/.\(url.lastPathComponent).\(UInt64.random(in: 0 ... .max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode)
        guard fd >= 0 else { throw ioError(temporary, "create") }
        var closed = false
        do throws(AuthorityError) {
            try writeAll(bytes, to: fd, path: temporary)
            guard fsync(fd) == 0 else { throw ioError(temporary, "flush") }
            closed = true
            guard close(fd) == 0 else { throw ioError(temporary, "close") }
        } catch {
            if !closed { close(fd) }
            unlink(temporary)
            throw error
        }
        guard rename(temporary, path) == 0 else {
            let error = ioError(path, "replace")
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }

    private static func writeAll(_ bytes: [UInt8], to fd: Int32, path: String) throws(AuthorityError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { systemWrite(fd, $0.baseAddress, $0.count) }
            if written < 0, errno == EINTR { continue }
            guard written > 0 else { throw ioError(path, "write") }
            offset += written
        }
    }

    private static func ioError(_ path: String, _ operation: String) -> AuthorityError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}

// At file scope, so the names resolve to the C functions rather than SecureFile's members.
private func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(fd, buffer, count)
}
