// The edge's data directory holds its CA key, tunnel key and admin token, so
// files are created with their final mode from the first byte (open with 0600,
// never chmod afterwards: there is no window in which a secret is readable) and
// replaced atomically (temp file, fsync, rename, fsync the directory), so a
// crash leaves either the old file or the new one, never half of one. Reads of
// secret files check the mode of the file actually opened (fstat on the
// descriptor, not stat on the path), so a swap between check and read cannot
// slip a readable file past the check.

import Foundation
import Wire

/// Private-file primitives for the edge's data directory.
enum SecureFile {
    /// Larger files are not ours (keys, certificates and tokens are a few KB).
    static let maximumSize = 1 << 20

    /// Creates `directory` with mode 0700 if it does not exist (parents with
    /// default modes); refuses an existing one that group or others may write.
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
            // Whoever may write here may swap the CA key or the registry.
            guard info.st_mode & 0o022 == 0 else {
                throw .inconsistent(
                    path: path,
                    problem: "is writable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))): another local "
                        + "user could replace the edge's CA key, admin token or registry",
                    fix: "chmod 700 \(path)")
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
        do throws(PrivateFile.Failure) {
            return try PrivateFile.read(url.path, maximumSize: maximumSize, requirePrivate: secret)
        } catch {
            if case .notFound = error { return nil }
            throw AuthorityError(error)
        }
    }

    /// Replaces `url` with `bytes` atomically; the file has `mode` from creation.
    static func write(_ bytes: [UInt8], to url: URL, mode: mode_t) throws(AuthorityError) {
        do throws(PrivateFile.Failure) {
            try PrivateFile.write(bytes, to: url.path, mode: mode)
        } catch {
            throw AuthorityError(error)
        }
    }

    private static func ioError(_ path: String, _ operation: String) -> AuthorityError {
        .io(path: path, operation: operation, reason: String(cString: strerror(errno)))
    }
}

extension AuthorityError {
    init(_ failure: PrivateFile.Failure) {
        switch failure {
        case .notFound(let path): self = .io(path: path, operation: "read", reason: "No such file or directory")
        case .notARegularFile(let path): self = .notARegularFile(path: path)
        case .insecurePermissions(let path, let mode): self = .insecurePermissions(path: path, mode: mode)
        case .tooLarge(let path, let size): self = .malformed(path: path, problem: "\(size) bytes is too large")
        case .io(let path, let operation, let reason): self = .io(path: path, operation: operation, reason: reason)
        }
    }
}
