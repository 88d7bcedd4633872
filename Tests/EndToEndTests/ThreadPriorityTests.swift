import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Both agents started under `nice -n 7` keep that priority on every
    /// thread: the event-loop threads from the start (they are created from
    /// the main thread), dispatch and Swift concurrency workers once the
    /// agent sets them back (every second; libdispatch starts them at their
    /// QoS value).
    @Suite("Thread priority", .serialized)
    struct ThreadPriorityTests {
        static let niceness = 7

        @Test("under nice -n 7, every thread of edgeagent serve and homeagent run runs at nice 7 after serving traffic")
        func everyThreadKeepsTheProcessNice() async throws {
            let world = try await EchoHome.start(niceness: Self.niceness)
            let body = PublicClient.payload(256 << 10, seed: 11)
            let tls = EchoHome.clientHello(EchoHome.tlsName) + body
            let http = EchoHome.requestHead(EchoHome.httpName, bodyLength: body.count) + body
            let relayed = EchoHome.relayedRequestHead(EchoHome.httpName, bodyLength: body.count) + body
            for (port, sent, echo) in [(world.edge.ports.https, tls, tls), (world.edge.ports.http, http, relayed), (world.tcpPort, body, body)] {
                #expect(try await PublicClient.exchange(port: port, sending: sent) == echo)
            }
            for (agent, pid) in [("edgeagent", world.edge.pid), ("homeagent", world.agent.pid)] {
                let first = ThreadNiceness.threads(of: pid)
                let loops = first.filter(\.isEventLoop)
                #expect(!loops.isEmpty, "\(agent) has no NIO event-loop thread: \(first)")
                #expect(loops.allSatisfy { $0.nice == Self.niceness }, "\(agent) event-loop threads: \(loops)")
                let settled = try await Self.allThreads(of: pid, reach: Self.niceness, within: .seconds(10))
                #expect(settled.allSatisfy { $0.nice == Self.niceness }, "\(agent) threads: \(settled)")
            }
            await world.stop()
        }

        /// Samples the process's threads every 100 ms until all are at
        /// `nice` or `within` has passed; returns the last sample.
        static func allThreads(of pid: Int32, reach nice: Int, within limit: Duration) async throws -> [ThreadNiceness] {
            let deadline = ContinuousClock.now + limit
            var sample = ThreadNiceness.threads(of: pid)
            while !sample.allSatisfy({ $0.nice == nice }), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(100))
                sample = ThreadNiceness.threads(of: pid)
            }
            return sample
        }
    }
}
