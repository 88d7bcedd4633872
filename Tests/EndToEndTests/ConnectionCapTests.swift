import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// A popular forward legitimately holds more than 1,024 connections, and
    /// one forward must never take every stream of its home.
    @Suite("Connection caps: many connections per forward, and a share per forward", .serialized)
    struct ConnectionCapTests {
        /// An edge and a home with two TCP forwards, `busy` and `other`, to one echo service.
        struct TwoForwards {
            let edge: EdgeServerProcess
            let echo: EchoServer
            let agent: HomeAgentProcess
            let busy: Int
            let other: Int

            func stop() async {
                _ = await agent.terminate()
                _ = await edge.terminate()
                await echo.close()
                edge.removeData()
            }
        }

        static func twoForwards(maxStreams: Int? = nil, edgeArguments: [String] = []) async throws -> TwoForwards {
            let edge = try EdgeServerProcess(arguments: edgeArguments)
            try await edge.waitUntilReady()
            let echo = try await EchoServer()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["busy", "--type", "tcp", "--target", "127.0.0.1:\(echo.port)"],
                ["other", "--type", "tcp", "--target", "127.0.0.1:\(echo.port)"],
            ])
            if let maxStreams {
                let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: config))
                handle.seekToEndOfFile()
                handle.write(Data("max_streams: \(maxStreams)\n".utf8))
                try handle.close()
            }
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            return TwoForwards(
                edge: edge, echo: echo, agent: agent,
                busy: try await agent.publicPort(of: "busy"), other: try await agent.publicPort(of: "other"))
        }

        /// Opens `count` connections and returns those that echo a byte back.
        /// One the edge refuses is reset, which can come before the connect
        /// completes here: such a connection is simply not held.
        static func hold(_ count: Int, port: Int) async throws -> (echoing: [HeldConnection], all: [HeldConnection]) {
            var all: [HeldConnection] = []
            for _ in 0..<count {
                guard let connection = try? await HeldConnection(port: port) else { continue }
                try? await connection.send([0x2A])
                all.append(connection)
            }
            var echoing: [HeldConnection] = []
            for connection in all {
                if try await eventually(timeout: .seconds(10), { try await connection.receivedCount == 1 || !connection.channel.isActive }),
                    try await connection.receivedCount == 1
                {
                    echoing.append(connection)
                }
            }
            return (echoing, all)
        }

        @Test("1,100 idle connections to one forward are all spliced, and the home's other forward still answers")
        func manyConnections() async throws {
            let world = try await Self.twoForwards()
            let held = try await Self.hold(1_100, port: world.busy)
            #expect(held.echoing.count == 1_100)
            let body = PublicClient.payload(20_000, seed: 4)
            #expect(try await PublicClient.exchange(port: world.other, sending: body) == body)
            for connection in held.all { try? await connection.channel.close() }
            await world.stop()
        }

        @Test("the edge caps a home whatever it announces: with --max-connections-per-home 40, one forward holds 30 and the home 40 in all")
        func perHomeCap() async throws {
            let world = try await Self.twoForwards(maxStreams: 1_000_000, edgeArguments: ["--max-connections-per-home", "40"])
            let busy = try await Self.hold(35, port: world.busy)
            #expect(busy.echoing.count == 30)
            let other = try await Self.hold(15, port: world.other)
            #expect(other.echoing.count == 10)
            #expect(world.edge.log.contains("home at its connection cap"), "\(world.edge.log.suffix(2000))")
            for connection in busy.all + other.all { try? await connection.channel.close() }
            await world.stop()
        }

        @Test("a forward takes at most three quarters of its home's streams; beyond, connections are refused and logged, and the other forward still answers")
        func perForwardShare() async throws {
            let world = try await Self.twoForwards(maxStreams: 64)
            let held = try await Self.hold(60, port: world.busy)
            #expect(held.echoing.count == 48)
            let body = PublicClient.payload(20_000, seed: 5)
            #expect(try await PublicClient.exchange(port: world.other, sending: body) == body)
            #expect(world.edge.log.contains("forward at its connection cap"), "\(world.edge.log.suffix(2000))")
            // Places come back when connections close.
            for connection in held.echoing.prefix(10) { try? await connection.channel.close() }
            #expect(try await eventually { try await Self.hold(1, port: world.busy).echoing.count == 1 })
            for connection in held.all { try? await connection.channel.close() }
            await world.stop()
        }
    }
}
