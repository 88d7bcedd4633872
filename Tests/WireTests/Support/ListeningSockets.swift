import Foundation

/// Which process listens on a TCP port, from /proc: a listening socket on
/// 127.0.0.1 or any address in /proc/net/tcp, matched by inode against the
/// process's descriptors. For tests that start servers they cannot ask
/// "are you ready?" (haproxy): listening is the readiness that matters, and
/// it must be that process's socket, not whoever else holds the port.
enum ListeningSockets {
    private static let listenState = "0A"

    static func isListening(pid: pid_t, port: Int) throws -> Bool {
        let inodes = try listeningInodes(port: port)
        guard !inodes.isEmpty else { return false }
        let directory = "/proc/\(pid)/fd"
        guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return false }
        return descriptors.contains { name in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "\(directory)/\(name)"),
                target.hasPrefix("socket:["), target.hasSuffix("]")
            else { return false }
            return inodes.contains(String(target.dropFirst("socket:[".count).dropLast()))
        }
    }

    /// Inodes of IPv4 sockets listening on `port`.
    private static func listeningInodes(port: Int) throws -> Set<String> {
        // Read to the end rather than by the file's size: procfs reports 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/net/tcp")?.readDataToEndOfFile() else {
            throw CocoaError(.fileReadNoSuchFile)
        }
        let text = String(decoding: data, as: UTF8.self)
        var inodes: Set<String> = []
        // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ..."
        for line in text.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 9, fields[3] == listenState,
                fields[1].split(separator: ":").last.flatMap({ Int($0, radix: 16) }) == port
            else { continue }
            inodes.insert(String(fields[9]))
        }
        return inodes
    }
}
