#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

import Wire

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
        do throws(PrivateFile.Failure) {
            try PrivateFile.write(Array(text.utf8), to: path, mode: 0o600)
        } catch {
            switch error {
            case .io(let file, let operation, let reason) where file != path:
                throw .cannotWrite(path: path, reason: "cannot \(operation) \(file): \(reason)")
            default:
                throw .cannotWrite(path: path, reason: "\(error)")
            }
        }
    }

    /// The bytes of a regular file that only its owner can access, at most ``maximumSize``.
    private static func readPrivateFile(_ path: String) throws(HomeConfigError) -> [UInt8] {
        do throws(PrivateFile.Failure) {
            return try PrivateFile.read(path, maximumSize: maximumSize, requirePrivate: true)
        } catch {
            switch error {
            case .notFound: throw .missing(path: path)
            case .notARegularFile: throw .cannotRead(path: path, reason: "not a regular file")
            case .insecurePermissions(_, let mode): throw .insecurePermissions(path: path, mode: UInt16(mode))
            case .tooLarge(_, let size): throw .tooLarge(path: path, size: size)
            case .io(_, _, let reason): throw .cannotRead(path: path, reason: reason)
            }
        }
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
}
