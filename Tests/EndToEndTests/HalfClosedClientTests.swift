import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

extension EndToEndSuite {
    /// A client that half-closes and then leaves while the home's service
    /// still sends must take its stream and the home's target connection
    /// with it: they once lived on, streaming for nobody at full speed.
    @Suite("Clients that half-close and leave", .serialized)
    struct HalfClosedClientTests {
        static func descriptors(_ pid: Int32) -> Int {
            (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? -1
        }

        @Test("five clients of a service that sends without end and ignores end of input half-close, then close: the home's descriptors and the upload come back to rest")
        func halfCloseThenLeave() async throws {
            let world = try await EndlessHome.start()
            let (edge, agent, port) = (world.edge, world.agent, world.port)
            let baseline = Self.descriptors(agent.pid)
            for _ in 0..<5 {
                let collector = ByteCollector()
                let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                    .channelOption(.allowRemoteHalfClosure, value: true)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(collector) }
                    }
                    .connect(host: "127.0.0.1", port: port).get()
                try await channel.writeAndFlush(ByteBuffer(string: "hello")).get()
                #expect(try await eventually { try await channel.eventLoop.submit { collector.received.readableBytes > 1000 }.get() })
                try await channel.close(mode: .output).get()
                try await Task.sleep(for: .milliseconds(300))
                try? await channel.close().get()
            }
            let settled = try await eventually(timeout: .seconds(15)) { Self.descriptors(agent.pid) <= baseline }
            #expect(settled, "home descriptors \(baseline) before, \(Self.descriptors(agent.pid)) after")
            // Nothing flows once every client has gone.
            let quiet = try await eventually(timeout: .seconds(15)) {
                let summary = try await Self.show("alice", at: edge)
                let upload = (summary["traffic"] as? [String: Any])?["upload"] as? [String: Any]
                return (upload?["rate_kbps"] as? Double ?? 1) < 1
            }
            let traffic = try await Self.show("alice", at: edge)["traffic"] ?? "-"
            #expect(quiet, "alice still uploads: \(traffic)")
            await world.stop()
        }

        /// The home as `edgeagent home show --json` prints it.
        static func show(_ name: String, at edge: EdgeServerProcess) async throws -> [String: Any] {
            let run = try await AgentRun.run("edgeagent", ["home", "show", name, "--json", "--data-dir", edge.directory.path])
            guard run.status == 0 else { throw EdgeServerFailure("home show \(name): \(run.error)") }
            return try JSONSerialization.jsonObject(with: Data(run.output.utf8)) as? [String: Any] ?? [:]
        }
    }
}
