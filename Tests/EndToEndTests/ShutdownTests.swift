import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// SIGTERM on either side drains: no new connections, the ones in flight
    /// finish, then the process exits 0.
    @Suite("Graceful shutdown and reload", .serialized)
    struct ShutdownTests {
        @Test("SIGTERM to the home: a connection in flight finishes byte-exact, new ones are refused, exit 0")
        func homeDrains() async throws {
            let world = try await EchoHome.start()
            let held = try await HeldConnection(port: world.tcpPort)
            let first = PublicClient.payload(30_000, seed: 20)
            try await held.send(first)
            #expect(try await eventually { try await held.receivedCount == first.count })

            world.agent.signal(SIGTERM)
            #expect(try await eventually { try await world.agent.status().document?["state"] as? String == "draining" })
            let http = world.edge.ports.http
            let refused = try await Curl.get("http://\(EchoHome.httpName):\(http)/", resolve: EchoHome.httpName, port: http)
            #expect(refused.output.hasSuffix("\n503"), "\(refused.output)")

            let rest = PublicClient.payload(50_000, seed: 21)
            try await held.send(rest)
            #expect(try await held.finish() == first + rest)
            #expect(await world.agent.terminate(timeout: .seconds(5)) == 0)
            #expect(world.agent.log.contains("home agent stopped"))
            await world.stop()
        }

        @Test("SIGTERM to the edge: a connection in flight finishes, the public ports close, exit 0")
        func edgeDrains() async throws {
            let world = try await EchoHome.start()
            let held = try await HeldConnection(port: world.tcpPort)
            let first = PublicClient.payload(10_000, seed: 22)
            try await held.send(first)
            #expect(try await eventually { try await held.receivedCount == first.count })

            kill(world.edge.pid, SIGTERM)
            let port = world.tcpPort
            // New connections are refused once the listeners closed.
            #expect(try await eventually {
                guard let probe = try? await HeldConnection(port: port) else { return true }
                try? await probe.channel.close()
                return false
            })
            let rest = PublicClient.payload(10_000, seed: 23)
            try await held.send(rest)
            #expect(try await held.finish() == first + rest)
            let stopped = ContinuousClock.now
            #expect(await world.edge.terminate(timeout: .seconds(12)) == 0)
            // Nothing else was in flight, so the drain did not wait for its deadline.
            #expect(ContinuousClock.now - stopped < .seconds(5))
            await world.stop()
        }

        @Test("SIGHUP with a broken config keeps the running one and says why; a good one syncs at once")
        func reload() async throws {
            let world = try await EchoHome.start()
            let good = try String(contentsOfFile: world.config, encoding: .utf8)
            try Self.write(good + "\nnot yaml: [\n", to: world.config)
            world.agent.signal(SIGHUP)
            #expect(try await eventually { try await world.agent.status().document?["config_error"] != nil })
            let status = try await world.agent.status()
            #expect(status.document?["state"] as? String == "connected")
            let body = PublicClient.payload(5_000, seed: 24)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)

            try Self.write(good, to: world.config)
            // expose talks to the running agent, which reloads and syncs.
            let target = "127.0.0.1:\(world.echo.port)"
            let exposed = try await AgentRun.run("homeagent", [
                "expose", "more", "--type", "tcp", "--target", target, "--config", world.config,
            ])
            #expect(exposed.status == 0, "\(exposed.error)")
            let address = try #require(try await world.agent.publicAddress(of: "more"))
            let port = try #require(address.split(separator: ":").last.flatMap { Int($0) })
            #expect(try await PublicClient.exchange(port: port, sending: body) == body)
            #expect(try await world.agent.status().document?["config_error"] == nil)
            await world.stop()
        }

        /// Rewrites the config as the user would, keeping it private (0600).
        static func write(_ text: String, to path: String) throws {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
    }
}
