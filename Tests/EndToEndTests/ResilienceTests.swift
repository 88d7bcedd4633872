import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Processes dying, stopping and coming back: the edge and the home recover
    /// without anyone's help, and a home never loses its hostnames or TCP ports.
    @Suite("Resilience: kill -9, restarts, takeover, dead peers", .serialized)
    struct ResilienceTests {
        @Test("kill -9 of the edge mid-transfer: after a restart the home is back within 5 s on the same TCP port")
        func edgeKilled() async throws {
            let world = try await EchoHome.start()
            let port = world.tcpPort
            // A connection in the middle of its transfer when the edge dies.
            let held = try await HeldConnection(port: port)
            let first = PublicClient.payload(200_000, seed: 9)
            try await held.send(first)
            #expect(try await eventually { try await held.receivedCount == first.count })
            await world.edge.killHard()
            #expect(try await eventually { !held.channel.isActive })

            let restarted = try EdgeServerProcess.restarting(world.edge)
            try await restarted.waitUntilReady()
            let restartedAt = ContinuousClock.now
            try await world.agent.waitUntilHealthy(timeout: .seconds(10))
            let back = ContinuousClock.now - restartedAt
            #expect(back < .seconds(5), "home back \(back) after the restart")
            #expect(try await world.agent.publicAddress(of: "raw") == "127.0.0.1:\(port)")
            let body = PublicClient.payload(100_000, seed: 10)
            #expect(try await PublicClient.exchange(port: port, sending: body) == body)
            _ = await world.agent.terminate()
            _ = await restarted.terminate()
            await world.stop()
        }

        @Test("kill -9 of the home: the edge answers 503 at once (its TCP forward a reset) and takes the home back when it returns")
        func homeKilled() async throws {
            let world = try await EchoHome.start()
            await world.agent.killHard()
            let http = world.edge.ports.http
            let offline = try await eventually(timeout: .seconds(16)) {
                let answer = try await Curl.get("http://\(EchoHome.httpName):\(http)/", resolve: EchoHome.httpName, port: http)
                return answer.output.hasSuffix("\n503")
            }
            #expect(offline)
            // Its TCP forward: a reset, as when nothing listens, not a clean
            // end of an empty answer.
            let fd = try RawSocket.make()
            try RawSocket.connect(fd, port: world.tcpPort)
            #expect(RawSocket.ending(fd) == "reset")
            close(fd)
            let again = try HomeAgentProcess(config: world.config)
            try await again.waitUntilHealthy()
            let body = PublicClient.payload(50_000, seed: 11)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            _ = await again.terminate()
            await world.stop()
        }

        @Test("takeover: a home that reconnects while the edge holds its half-dead session replaces it and keeps its port")
        func takeover() async throws {
            let world = try await EchoHome.start()
            // The old agent freezes with its connection open: to the edge it is
            // a session that stopped answering, not one that closed.
            world.agent.signal(SIGSTOP)
            let copy = try Self.copyHome(config: world.config)
            let second = try HomeAgentProcess(config: copy)
            try await second.waitUntilHealthy()
            #expect(try await second.publicAddress(of: "raw") == "127.0.0.1:\(world.tcpPort)")
            let body = PublicClient.payload(200_000, seed: 12)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            let sent = EchoHome.clientHello(EchoHome.tlsName) + body
            #expect(try await PublicClient.exchange(port: world.edge.ports.https, sending: sent) == sent)
            #expect(!second.log.lowercased().contains("already"))
            await world.agent.killHard()
            _ = await second.terminate()
            await world.stop()
        }

        @Test("two agents running with one certificate: each replaced session is told why, and the agents log it")
        func twoAgentsOneCertificate() async throws {
            let world = try await EchoHome.start()
            let second = try HomeAgentProcess(config: try Self.copyHome(config: world.config))
            let told = try await eventually(timeout: .seconds(20)) {
                (world.agent.log + second.log).contains("another agent running with the same certificate")
            }
            #expect(told, "logs: \(world.agent.log.suffix(1000)) \(second.log.suffix(1000))")
            await second.killHard()
            await world.stop()
        }

        @Test("a frozen edge is noticed within the dead-peer window and the home reconnects when it thaws")
        func deadEdge() async throws {
            let world = try await EchoHome.start()
            kill(world.edge.pid, SIGSTOP)
            let noticed = try await eventually(timeout: .seconds(25)) {
                try await world.agent.status().document?["state"] as? String != "connected"
            }
            kill(world.edge.pid, SIGCONT)
            #expect(noticed)
            #expect(world.agent.log.contains("session to edge lost"))
            try await world.agent.waitUntilHealthy(timeout: .seconds(40))
            let body = PublicClient.payload(10_000, seed: 13)
            do {
                #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            } catch {
                Issue.record("\(error); edge running: \(world.edge.isRunning); edge log: \(world.edge.log.suffix(3000))")
            }
            await world.stop()
        }

        /// A second home directory with the same identity: config, key and
        /// certificates, so a second agent can run beside the first.
        static func copyHome(config: String) throws -> String {
            let source = URL(fileURLWithPath: config).deletingLastPathComponent()
            let target = source.deletingLastPathComponent().appendingPathComponent(source.lastPathComponent + "-copy")
            try FileManager.default.createDirectory(at: target, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: source.path)
            where name.hasSuffix(".yaml") || name.hasSuffix(".pem") || name.hasSuffix(".key") {
                try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: target.appendingPathComponent(name))
            }
            return target.appendingPathComponent(URL(fileURLWithPath: config).lastPathComponent).path
        }
    }
}
