import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing
import TestSupport

extension EndToEndSuite {
    /// A home's session ending while public connections are being routed to
    /// it once crashed the edge (a stream opened on a connection already
    /// freed), taking every home and the API down with it.
    @Suite("Home restarts under public load", .serialized)
    struct HomeRestartUnderLoadTests {
        enum Restart: CaseIterable {
            /// SIGTERM: the agent drains with GOAWAY.
            case terminate
            /// SIGKILL: the connection just ends.
            case kill
            /// A second agent with the same identity takes the session over
            /// from a frozen one, which is then killed.
            case takeover
        }

        @Test("30 restarts of alice (SIGTERM, SIGKILL, takeover) under connection load: the edge lives and bob is served throughout")
        func restartsUnderLoad() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let alice = try await Self.echoHome("alice", at: edge)
            let bob = try await Self.echoHome("bob", at: edge)
            let load = LoadRecord()
            let config = alice.agent.config
            let copy = try ResilienceTests.copyHome(config: config)

            try await withThrowingTaskGroup(of: Void.self) { group in
                // Public clients connecting to alice as fast as they can.
                for _ in 0..<3 {
                    group.addTask {
                        while !load.stopped {
                            _ = try? await Self.connectAndClose(port: alice.port)
                            load.attempted()
                        }
                    }
                }
                // Bob must be served the whole time.
                group.addTask {
                    var round: UInt64 = 0
                    while !load.stopped {
                        round += 1
                        let body = PublicClient.payload(2_000, seed: round)
                        do {
                            let echoed = try await PublicClient.exchange(port: bob.port, sending: body, timeout: .seconds(10))
                            load.served(echoed == body ? nil : "round \(round): \(echoed.count) bytes back; bob's log: \(bob.agent.log.suffix(1200)); edge log: \(edge.log.suffix(2500))")
                        } catch {
                            load.served("round \(round): \(error)")
                        }
                        try await Task.sleep(for: .milliseconds(20))
                    }
                }
                group.addTask {
                    defer { load.stop() }
                    var current = alice.agent
                    for index in 0..<30 {
                        let restart = Restart.allCases[index % Restart.allCases.count]
                        let next: HomeAgentProcess
                        switch restart {
                        case .terminate:
                            _ = await current.terminate()
                            next = try HomeAgentProcess(config: config)
                        case .kill:
                            await current.killHard()
                            next = try HomeAgentProcess(config: config)
                        case .takeover:
                            current.signal(SIGSTOP)
                            // Alternate between the two copies of the identity.
                            next = try HomeAgentProcess(config: current.config == config ? copy : config)
                        }
                        try await next.waitUntilHealthy(timeout: .seconds(30))
                        if restart == .takeover { await current.killHard() }
                        #expect(edge.isRunning, "the edge died at restart \(index) (\(restart)): \(edge.log.suffix(3000))")
                        guard edge.isRunning else { return }
                        current = next
                    }
                    load.stop()
                    // The load kept opening connections to alice while a frozen
                    // agent (takeover) could not answer them: up to its forward's
                    // cap, refused (reset) beyond it. They go once the edge has
                    // closed the frozen session and the killed agent's connection;
                    // until then a new one may still be refused.
                    let body = PublicClient.payload(10_000, seed: 99)
                    var echoed = "not tried"
                    let deadline = ContinuousClock.now + .seconds(30)
                    repeat {
                        do {
                            let bytes = try await PublicClient.exchange(port: alice.port, sending: body)
                            echoed = bytes == body ? "echoed" : "\(bytes.count) bytes back"
                        } catch {
                            echoed = "\(error)"
                        }
                        if echoed == "echoed" { break }
                        try await Task.sleep(for: .milliseconds(200))
                    } while ContinuousClock.now < deadline
                    #expect(echoed == "echoed", "alice after the restarts: \(echoed); home log: \(current.log.suffix(1500)); edge log: \(edge.log.suffix(2500))")
                    _ = await current.terminate()
                }
                try await group.waitForAll()
            }

            #expect(edge.isRunning)
            #expect(!edge.log.contains("Fatal error"))
            let record = load.snapshot
            #expect(record.failures.isEmpty, "bob failed: \(record.failures.prefix(5))")
            #expect(record.served > 30)
            #expect(record.attempts > 300, "public load too light to race the restarts")
            _ = await bob.agent.terminate()
            _ = await edge.terminate()
            await alice.echo.close()
            await bob.echo.close()
            edge.removeData()
        }

        /// A home whose one TCP forward, `raw`, leads to an echo service.
        static func echoHome(_ name: String, at edge: EdgeServerProcess) async throws
            -> (agent: HomeAgentProcess, echo: EchoServer, port: Int)
        {
            let echo = try await EchoServer()
            let config = try await HomeEnrollment.enroll(name, at: edge, forwards: [
                ["raw", "--type", "tcp", "--target", "127.0.0.1:\(echo.port)"],
            ])
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            return (agent, echo, try await agent.publicPort(of: "raw"))
        }

        /// Connects, sends a few bytes, and closes without waiting for an answer.
        static func connectAndClose(port: Int) async throws {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(2))
                .connect(host: "127.0.0.1", port: port).get()
            try? await channel.writeAndFlush(ByteBuffer(string: "ping")).get()
            try? await channel.close()
        }
    }
}

/// What the load tasks saw, shared between them.
private final class LoadRecord: Sendable {
    private struct Record {
        var stopped = false
        var attempts = 0
        var served = 0
        var failures: [String] = []
    }

    private let record = Mutex(Record())

    var stopped: Bool { record.withLock { $0.stopped } }
    func stop() { record.withLock { $0.stopped = true } }
    func attempted() { record.withLock { $0.attempts += 1 } }

    /// One exchange with bob: nil when it succeeded, else what went wrong.
    func served(_ failure: String?) {
        record.withLock { record in
            if let failure { record.failures.append(failure) } else { record.served += 1 }
        }
    }

    var snapshot: (attempts: Int, served: Int, failures: [String]) {
        record.withLock { ($0.attempts, $0.served, $0.failures) }
    }
}
