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
            // The home shows the drain while its session still carries the connection.
            #expect(try await eventually {
                (try await world.agent.status().document?["edge_going_away"] as? String)?.contains("edge shutting down") == true
            }, "\(world.agent.log.suffix(1500))")
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

        @Test("a second SIGTERM during the edge's drain ends it at once: exit 0 long before the drain timeout")
        func secondSignalCutsTheEdgeDrain() async throws {
            let world = try await EchoHome.start(edgeArguments: ["--drain-timeout", "300"])
            let held = try await HeldConnection(port: world.tcpPort)
            try await held.send(PublicClient.payload(10_000, seed: 24))
            #expect(try await eventually { try await held.receivedCount == 10_000 })

            kill(world.edge.pid, SIGTERM)
            #expect(try await eventually(timeout: .seconds(20)) { world.edge.log.contains("another SIGTERM or SIGINT ends it") })
            #expect(world.edge.isRunning, "the edge did not wait for the connection in flight")
            kill(world.edge.pid, SIGTERM)
            // Well short of the 300 s drain: the second signal cut it.
            #expect(await world.edge.terminate(timeout: .seconds(60)) == 0)
            #expect(world.edge.log.contains("second signal: not waiting for streams in flight any longer"))
            _ = try? await held.finish(timeout: .seconds(10))
            await world.stop()
        }

        @Test("a second SIGINT during the home's drain ends it at once: exit 0 long before the drain timeout")
        func secondSignalCutsTheHomeDrain() async throws {
            let world = try await EchoHome.start()
            _ = await world.agent.terminate()
            let config = try String(contentsOfFile: world.config, encoding: .utf8)
            try (config + "drain_timeout_seconds: 300\n").write(toFile: world.config, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: world.config)
            let agent = try HomeAgentProcess(config: world.config)
            try await agent.waitUntilHealthy()
            let held = try await HeldConnection(port: try await agent.publicPort(of: "raw"))
            try await held.send(PublicClient.payload(10_000, seed: 25))
            #expect(try await eventually { try await held.receivedCount == 10_000 })

            agent.signal(SIGINT)
            #expect(try await eventually(timeout: .seconds(20)) { agent.log.contains("another SIGTERM or SIGINT ends it") })
            #expect(agent.isRunning, "the home did not wait for the connection in flight")
            agent.signal(SIGINT)
            #expect(await agent.terminate(timeout: .seconds(60)) == 0)
            #expect(agent.log.contains("second signal: not waiting for streams in flight any longer"))
            _ = try? await held.finish(timeout: .seconds(10))
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

            // Valid YAML that names another home than the certificate: refused
            // like at start, and the session is kept.
            try Self.write(good.replacingOccurrences(of: "home: alice", with: "home: bob"), to: world.config)
            world.agent.signal(SIGHUP)
            #expect(try await eventually {
                (try await world.agent.status().document?["config_error"] as? String)?.contains("bob") == true
            }, "\(world.agent.log.suffix(1500))")
            #expect(try await world.agent.status().document?["state"] as? String == "connected")
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            #expect(!world.agent.log.contains("session to edge lost"))

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
