import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Streams that end while the home is still connecting to the forward's
    /// target (issue 10, defect 7, the home's part; issue 11): whatever the
    /// order in which the home learns of the end and of the finished
    /// connect, the target connection is closed (`TargetSocketGuard`, the
    /// splice, and `ForwardDialer`'s own catch between them).
    @Suite("Resets during the home's target connect", .serialized)
    struct TargetConnectResetTests {
        static let streams = 20

        /// How many descriptors process `pid` holds open.
        static func descriptors(of pid: pid_t) throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        }

        /// How the streams end while their dials wait.
        enum Ending {
            /// The clients reset; the home hears of it long before its dials complete.
            case resetBeforeConnect
            /// The clients reset while the home is frozen (SIGSTOP), and the
            /// dials complete before it runs again: it finds the resets and
            /// the finished connects in the same turn of its event loop.
            case resetAndConnectTogether
            /// The edge dies: the session ends with every stream on it.
            case sessionEnds
        }

        @Test("target connections that complete after the edge reset their stream are closed: the home's descriptors return to where they were")
        func noDescriptorOutlivesItsResetStream() async throws {
            try await Self.run(.resetBeforeConnect)
        }

        @Test("resets and completed connects seen in the same turn of the home's loop: every target connection is closed")
        func resetAndConnectTogether() async throws {
            try await Self.run(.resetAndConnectTogether)
        }

        @Test("the session ends while the home dials: every target connection is closed")
        func sessionEndsWhileDialling() async throws {
            try await Self.run(.sessionEnds)
        }

        static func run(_ ending: Ending) async throws {
            let target = try StalledTarget()
            defer { target.close() }
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["slow", "--type", "tcp", "--target", "127.0.0.1:\(target.port)"],
            ])
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            let port = try await agent.publicPort(of: "slow")
            let baseline = try Self.descriptors(of: agent.pid)

            // Each public client makes the home dial the target, whose full
            // queue holds the dial in SYN_SENT.
            var clients: [Int32] = []
            for _ in 0..<Self.streams {
                let fd = try RawSocket.make()
                try RawSocket.connect(fd, port: port)
                clients.append(fd)
            }
            let dialling = try await eventually(timeout: .seconds(20)) { try target.stalledDials() >= Self.streams }
            #expect(dialling, "the home dialled \((try? target.stalledDials()) ?? -1) of \(Self.streams) times; log: \(agent.log.suffix(3000))")

            // The SYN retransmission comes 1 s after the first SYN (dropped:
            // the queue is still full) and 3 s after it; the room made below
            // lets that one through, long after the streams ended.
            switch ending {
            case .resetBeforeConnect:
                for fd in clients { RawSocket.reset(fd) }
            case .resetAndConnectTogether:
                agent.signal(SIGSTOP)
                for fd in clients { RawSocket.reset(fd) }
            case .sessionEnds:
                await edge.killHard()
                for fd in clients { close(fd) }
            }
            try await Task.sleep(for: .milliseconds(1_500))
            // The kernel completes the handshakes even for a frozen home.
            let accepted = try await target.open(accepting: Self.streams)
            #expect(accepted == Self.streams, "only \(accepted) dials completed")
            if ending == .resetAndConnectTogether { agent.signal(SIGCONT) }

            let settled = try await eventually(timeout: .seconds(20)) { try Self.descriptors(of: agent.pid) <= baseline }
            #expect(settled, "homeagent holds \((try? Self.descriptors(of: agent.pid)) ?? -1) descriptors, \(baseline) before")
            #expect(agent.isRunning)
            _ = await agent.terminate()
            _ = await edge.terminate()
            edge.removeData()
        }
    }
}
