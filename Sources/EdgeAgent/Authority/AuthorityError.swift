// Why the edge refused to use its data directory or to issue a certificate.
// Most of these stop the edge at startup, where the operator reads them, so
// each names the file involved and the command or action that fixes it.

import Wire

/// A problem with the edge's key material, its files, or a certificate request.
enum AuthorityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A secret file is accessible by group or others.
    case insecurePermissions(path: String, mode: UInt32)
    /// A file that must be a regular file is something else (directory, device, ...).
    case notARegularFile(path: String)
    /// Files that must agree do not (key vs certificate, one of a pair missing, ...).
    case inconsistent(path: String, problem: String, fix: String)
    /// A file exists but its content cannot be parsed.
    case malformed(path: String, problem: String)
    /// A system call on a file failed.
    case io(path: String, operation: String, reason: String)
    /// A `--hostname` value that cannot name the tunnel.
    case invalidHostname(String)
    /// A home certificate request that cannot be honoured.
    case invalidRequest(String)
    /// Key generation or signing failed inside OpenSSL.
    case crypto(CryptoError)

    var description: String {
        switch self {
        case .insecurePermissions(let path, let mode):
            "\(path) is accessible by group or others (mode \(Self.octal(mode))); "
                + "it holds a secret and must be private: run `chmod 600 \(path)`"
        case .notARegularFile(let path):
            "\(path) is not a regular file; move it away so the edge can recreate it"
        case .inconsistent(let path, let problem, let fix):
            "\(path): \(problem); \(fix)"
        case .malformed(let path, let problem):
            "\(path) is damaged (\(problem)); restore it from a backup"
        case .io(let path, let operation, let reason):
            "cannot \(operation) \(path): \(reason)"
        case .invalidHostname(let name):
            "--hostname \"\(name)\" is not a DNS name or IP address"
        case .invalidRequest(let problem):
            "cannot issue a home certificate: \(problem)"
        case .crypto(let error):
            "key or certificate operation failed: \(error)"
        }
    }

    static func octal(_ mode: UInt32) -> String {
        let digits = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
