extension PrivateFile.Failure: CustomStringConvertible {
    /// In the words a user reads after `Error:`, never the enum's dump.
    public var description: String {
        switch self {
        case .notFound(let path):
            "\(path) does not exist"
        case .notARegularFile(let path):
            "\(path) is not a regular file"
        case .insecurePermissions(let path, let mode):
            "\(path) has mode \(String(mode, radix: 8)), so others may read it; make it private with chmod 600 \(path)"
        case .tooLarge(let path, let size):
            "\(path) is too large (\(size) bytes)"
        case .io(let path, let operation, let reason):
            "cannot \(operation) \(path): \(reason)"
        }
    }
}
