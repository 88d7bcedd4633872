import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// What each agent's service group does with signals beyond the plain
    /// drain of `ShutdownTests`: the drain's bound, SIGINT, and SIGHUP.
    @Suite("Signals: drain bound, SIGINT, SIGHUP", .serialized)
    struct SignalTests {
        @Test(
            "SIGTERM or SIGINT to the edge with a connection that never ends: it keeps flowing, new ones are refused, exit 0 once --drain-timeout passed",
            arguments: [SIGTERM, SIGINT])
        func edgeDrainIsBounded(signal: Int32) async throws {
            let world = try await EchoHome.start(edgeArguments: ["--drain-timeout", "2"])
            let held = try await HeldConnection(port: world.tcpPort)
            let first = PublicClient.payload(10_000, seed: 30)
            try await held.send(first)
            #expect(try await eventually { try await held.receivedCount == first.count })

            let signalled = ContinuousClock.now
            kill(world.edge.pid, signal)
            let port = world.tcpPort
            #expect(try await eventually {
                guard let probe = try? await HeldConnection(port: port) else { return true }
                try? await probe.channel.close()
                return false
            })
            // Still relayed while the edge drains.
            let more = PublicClient.payload(10_000, seed: 31)
            try await held.send(more)
            #expect(try await eventually { try await held.receivedCount == first.count + more.count })

            #expect(await world.edge.waitForExit(timeout: .seconds(15)) == 0)
            let elapsed = ContinuousClock.now - signalled
            // The connection never ended, so the drain ran to its deadline, and not much longer.
            #expect(elapsed >= .milliseconds(1_800), "\(elapsed)")
            #expect(elapsed < .seconds(10), "\(elapsed)")
            try? await held.channel.close()
            await world.stop()
        }

        @Test("SIGHUP to the edge re-reads the routes and says so; connections in flight and new ones are served")
        func edgeReloads() async throws {
            let world = try await EchoHome.start()
            let held = try await HeldConnection(port: world.tcpPort)
            let first = PublicClient.payload(5_000, seed: 32)
            try await held.send(first)
            #expect(try await eventually { try await held.receivedCount == first.count })

            kill(world.edge.pid, SIGHUP)
            #expect(try await eventually { world.edge.log.contains("routes reloaded") })
            #expect(world.edge.isRunning)
            let body = PublicClient.payload(5_000, seed: 33)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            let rest = PublicClient.payload(5_000, seed: 34)
            try await held.send(rest)
            #expect(try await held.finish() == first + rest)
            await world.stop()
        }

        @Test("SIGHUP to the home with a new forward in its config: the forward is placed on the same session")
        func homeReloadKeepsTheSession() async throws {
            let world = try await EchoHome.start()
            let before = try await world.agent.status().document
            let since = try #require(before?["connected_since"] as? String)
            let held = try await HeldConnection(port: world.tcpPort)
            let first = PublicClient.payload(5_000, seed: 35)
            try await held.send(first)
            #expect(try await eventually { try await held.receivedCount == first.count })

            try await HomeEnrollment.expectSuccess([
                "expose", "more", "--type", "tcp", "--target", "127.0.0.1:\(world.echo.port)", "--no-sync",
                "--config", world.config,
            ])
            world.agent.signal(SIGHUP)
            #expect(try await eventually { try await world.agent.publicAddress(of: "more") != nil })
            let port = try await world.agent.publicPort(of: "more")
            let body = PublicClient.payload(5_000, seed: 36)
            #expect(try await PublicClient.exchange(port: port, sending: body) == body)

            let after = try await world.agent.status().document
            #expect(after?["state"] as? String == "connected")
            #expect(after?["connected_since"] as? String == since)
            let rest = PublicClient.payload(5_000, seed: 37)
            try await held.send(rest)
            #expect(try await held.finish() == first + rest)
            #expect(world.agent.isRunning)
            await world.stop()
        }
    }
}
