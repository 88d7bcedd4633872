import Foundation
import Testing
import TestSupport

/// The edge refuses files others could write: a data directory where another
/// local user could swap the CA key, a config file that would let them pick
/// the data directory and ports.
@Suite("edgeagent serve refuses files others can write", .timeLimit(.minutes(1)))
struct EdgeFilePermissionTests {
    @Test("a data directory writable by others, and a config file writable by others, stop serve with the chmod that fixes it")
    func writableByOthers() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        #expect(chmod(data.path, 0o777) == 0)
        let ports = ["--bind", "127.0.0.1", "--https-port", "0", "--http-port", "0", "--tunnel-port", "0", "--api-port", "0"]
        let open = try await AgentRun.run("edgeagent", ["serve", "--data-dir", data.path] + ports)
        #expect(open.status != 0 && open.error.contains("writable by group or others (mode 777)"), "stderr: \(open.error)")
        #expect(open.error.contains("chmod 700 \(data.path)"), "stderr: \(open.error)")

        let config = directory.appendingPathComponent("edge.yaml")
        try "data_dir: \(directory.path)/other\n".write(to: config, atomically: true, encoding: .utf8)
        #expect(chmod(config.path, 0o666) == 0)
        let shared = try await AgentRun.run("edgeagent", ["serve", "--config", config.path] + ports)
        #expect(shared.status != 0 && shared.error.contains("chmod go-w \(config.path)"), "stderr: \(shared.error)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory.path)/other"))
    }
}
