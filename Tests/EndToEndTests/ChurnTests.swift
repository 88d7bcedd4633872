import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Many short public connections, including ones that fail, must leave
    /// the edge and the home holding what they held before: a descriptor or
    /// a few kilobytes kept per connection is what runs a long-lived agent
    /// out of files or memory.
    @Suite("Churn: short connections leave no descriptors or memory behind", .serialized)
    struct ChurnTests {
        static let warmUp = 500
        static let churn = 10_000
        static let concurrency = 4
        /// Descriptors may differ from the warm baseline by this many (one
        /// opened in passing, a registry write, a connection still closing):
        /// a leak per connection shows as thousands.
        static let descriptorSlack = 2
        static let memorySlack = 20 * 1_048_576

        @Test("10,000 short connections across TLS, HTTP and TCP forwards (completed, reset, cut mid-echo, closed before routing) leave edge and home descriptors at their warm baseline and RSS within 20 MB of it", .timeLimit(.minutes(2)))
        func tenThousandShortConnections() async throws {
            let world = try await EchoHome.start()
            let edge = world.edge.pid
            let home = world.agent.pid

            let warmUpFailures = try await ShortConnection.churn(0..<Self.warmUp, in: world, concurrency: Self.concurrency)
            #expect(warmUpFailures.isEmpty, "\(warmUpFailures.count) failed, first: \(warmUpFailures.prefix(5))")
            // The warm-up's last closes settle: wait until the counts stop falling.
            async let edgeSettled = ProcessFootprint.descriptors(of: edge, fallingTo: 0, stall: .seconds(1))
            async let homeSettled = ProcessFootprint.descriptors(of: home, fallingTo: 0, stall: .seconds(1))
            _ = try await (edgeSettled, homeSettled)
            async let edgeResident = ProcessFootprint.settledResidentBytes(edge)
            async let homeResident = ProcessFootprint.settledResidentBytes(home)
            let (edgeBefore, homeBefore) = try await (
                ProcessFootprint(residentBytes: edgeResident, descriptors: ProcessFootprint.openDescriptors(edge)),
                ProcessFootprint(residentBytes: homeResident, descriptors: ProcessFootprint.openDescriptors(home)))

            let start = ContinuousClock.now
            let range = Self.warmUp..<(Self.warmUp + Self.churn)
            let failures = try await ShortConnection.churn(range, in: world, concurrency: Self.concurrency)
            let elapsed = ContinuousClock.now - start
            #expect(failures.isEmpty, "\(failures.count) of \(Self.churn) failed, first: \(failures.prefix(5))")

            // Closes settle in both processes; then the edge's periodic
            // malloc_trim (every 5 s) gives freed memory back.
            async let edgeClosed = ProcessFootprint.descriptors(of: edge, fallingTo: edgeBefore.descriptors)
            async let homeClosed = ProcessFootprint.descriptors(of: home, fallingTo: homeBefore.descriptors)
            _ = try await (edgeClosed, homeClosed)
            let settleDeadline = ContinuousClock.now + .seconds(8)
            var edgeAfter = ProcessFootprint(pid: edge)
            var homeAfter = ProcessFootprint(pid: home)
            while ContinuousClock.now < settleDeadline,
                edgeAfter.residentBytes - edgeBefore.residentBytes >= Self.memorySlack
                    || homeAfter.residentBytes - homeBefore.residentBytes >= Self.memorySlack
            {
                try await Task.sleep(for: .milliseconds(250))
                edgeAfter = ProcessFootprint(pid: edge)
                homeAfter = ProcessFootprint(pid: home)
            }

            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            print("churn: \(Self.churn) connections in \(String(format: "%.1f", seconds)) s, \(Self.concurrency) at a time")
            print("churn: edge before \(edgeBefore), after \(edgeAfter)")
            print("churn: home before \(homeBefore), after \(homeAfter)")
            #expect(edgeAfter.descriptors <= edgeBefore.descriptors + Self.descriptorSlack, "edge: \(edgeBefore) -> \(edgeAfter)")
            #expect(homeAfter.descriptors <= homeBefore.descriptors + Self.descriptorSlack, "home: \(homeBefore) -> \(homeAfter)")
            #expect(edgeAfter.residentBytes - edgeBefore.residentBytes < Self.memorySlack, "edge: \(edgeBefore) -> \(edgeAfter)")
            #expect(homeAfter.residentBytes - homeBefore.residentBytes < Self.memorySlack, "home: \(homeBefore) -> \(homeAfter)")

            // Both still serve.
            let body = PublicClient.payload(10_000, seed: 7)
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body) == body)
            await world.stop()
        }
    }
}
