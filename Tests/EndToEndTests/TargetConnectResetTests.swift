import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Streams the edge resets while the home is still connecting to the
    /// forward's target (issue 10, defect 7, the home's part).
    @Suite("Resets during the home's target connect", .serialized)
    struct TargetConnectResetTests {
        static let streams = 20

        /// How many descriptors process `pid` holds open.
        static func descriptors(of pid: pid_t) throws -> Int {
            try FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count
        }

        @Test("target connections that complete after the edge reset their stream are closed: the home's descriptors return to where they were")
        func noDescriptorOutlivesItsResetStream() async throws {
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

            // The clients leave abruptly: the edge resets every stream while
            // its dial is still waiting. The SYN retransmission comes 1 s after
            // the first SYN (dropped: the queue is still full) and 3 s after
            // it; the room made below lets that one through, long after the
            // resets arrived.
            for fd in clients { RawSocket.reset(fd) }
            try await Task.sleep(for: .milliseconds(1_500))
            let accepted = try await target.open(accepting: Self.streams)
            #expect(accepted == Self.streams, "only \(accepted) dials completed")

            let settled = try await eventually(timeout: .seconds(20)) { try Self.descriptors(of: agent.pid) <= baseline }
            #expect(settled, "homeagent holds \((try? Self.descriptors(of: agent.pid)) ?? -1) descriptors, \(baseline) before")
            #expect(agent.isRunning)
            _ = await agent.terminate()
            _ = await edge.terminate()
            edge.removeData()
        }
    }
}
