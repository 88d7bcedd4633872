import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

extension EndToEndSuite {
    /// `edgeagent serve` refuses to start when one of its ports is taken and
    /// says which listener and which address, so the operator knows which
    /// flag to change.
    @Suite("Busy ports at edge start", .serialized)
    struct BusyPortTests {
        @Test(
            "a port another process holds: serve exits naming the listener and its address",
            arguments: [("--https-port", "public TLS port"), ("--http-port", "public HTTP port"), ("--tunnel-port", "tunnel port"), ("--api-port", "API port")])
        func busyPortIsNamed(flag: String, listener: String) async throws {
            let squatter = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(squatter.localAddress?.port)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-busy-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            var ports = ["--https-port": 0, "--http-port": 0, "--tunnel-port": 0, "--api-port": 0]
            ports[flag] = port
            let arguments = ["serve", "--data-dir", directory.path, "--bind", "127.0.0.1"]
                + ports.sorted { $0.key < $1.key }.flatMap { [$0.key, "\($0.value)"] }
            let run = try await AgentRun.run("edgeagent", arguments)
            try await squatter.close()
            #expect(run.status != 0)
            #expect(
                run.error.contains("Error: \(listener) 127.0.0.1:\(port) is in use by another process"),
                "stderr: \(run.error)")
        }

        @Test("with --log-format json the error that ends serve is a JSON line too, and nothing else follows it")
        func fatalErrorIsJSON() async throws {
            let squatter = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: 0).get()
            let port = try #require(squatter.localAddress?.port)
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("portico-busy-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: directory) }
            let run = try await AgentRun.run("edgeagent", [
                "serve", "--data-dir", directory.path, "--bind", "127.0.0.1", "--log-format", "json",
                "--https-port", "0", "--http-port", "0", "--tunnel-port", "0", "--api-port", "\(port)",
            ])
            try await squatter.close()
            #expect(run.status == 1)
            let lines = run.error.split(separator: "\n").filter { !$0.isEmpty }
            for line in lines {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
            }
            let last = try #require(lines.last.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] })
            #expect(last["level"] as? String == "critical")
            #expect((last["message"] as? String)?.contains("API port 127.0.0.1:\(port) is in use") == true, "\(last)")
        }
    }
}
