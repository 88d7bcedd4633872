import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Per-home bandwidth limits through real processes and a real TCP
    /// forward. These are short, tolerant versions of the measurements in
    /// Benchmarks/bandwidth (whose numbers are in docs/benchmarks.md): they
    /// catch a regression, not a few percent.
    @Suite("Bandwidth limits: accuracy, live changes, fairness, isolation", .serialized)
    struct BandwidthTests {
        /// 20 Mbit/s in bytes per second.
        static let twentyMbit = 2_500_000.0

        /// Sleeps until `to` after `start`, then returns the bytes per second
        /// `log` saw between `start + from` and `start + to`.
        static func rate(_ log: ArrivalLog, after start: ContinuousClock.Instant, from: Duration, to: Duration)
            async throws -> Double
        {
            try await Task.sleep(until: start + to + .milliseconds(50))
            return log.rate(from: start + from, to: start + to)
        }

        /// Bytes per second while `log` received `count` bytes beyond its
        /// first `skip`: how unlimited transfers are measured, bounded in
        /// bytes rather than time, so they hold both cores only briefly.
        static func rate(of count: Int, after skip: Int, in log: ArrivalLog) async throws -> Double {
            #expect(try await eventually(timeout: .seconds(30)) { log.total >= skip + count })
            let from = try #require(log.instant(reaching: skip + 1))
            let to = try #require(log.instant(reaching: skip + count))
            return Double(count) / (to - from).seconds
        }

        static func firstArrival(_ log: ArrivalLog) async throws -> ContinuousClock.Instant {
            #expect(try await eventually { log.firstArrival != nil })
            return try #require(log.firstArrival)
        }

        static func expectNear(_ measured: Double, _ expected: Double, within tolerance: Double, _ what: String) {
            #expect(abs(measured / expected - 1) < tolerance, "\(what): \(Int(measured)) B/s, limit \(Int(expected)) B/s")
        }

        @Test("upload and download limits hold through a TCP forward, change and clear live, and show in home show and the metrics")
        func accuracyAndLiveChanges() async throws {
            let world = try await BulkHomes.start(["alice"])
            let alice = world["alice"]
            let set = try await world.admin(["home", "limit", "alice", "--kbps", "20000"])
            #expect(set.contains("alice: upload 20000 kbit/s, download unlimited, burst default"), "\(set)")

            let upload = try await BulkClient(port: alice.port, direction: .upload)
            let start = try await Self.firstArrival(upload.received)
            Self.expectNear(
                try await Self.rate(upload.received, after: start, from: .seconds(1), to: .milliseconds(2_500)),
                Self.twentyMbit, within: 0.12, "upload at 20 Mbit/s")

            let shown = try await world.show("alice")
            let traffic = try #require((shown["traffic"] as? [String: Any])?["upload"] as? [String: Any])
            #expect(traffic["limit_kbps"] as? Int == 20_000)
            let shownRate = try #require((traffic["rate_kbps"] as? NSNumber)?.doubleValue)
            #expect(abs(shownRate / 20_000 - 1) < 0.2, "home show says \(shownRate) kbit/s")
            #expect(((traffic["throttled_seconds"] as? NSNumber)?.doubleValue ?? 0) > 1)
            let list = try await world.admin(["home", "list"])
            #expect(list.contains(" / 20000") && list.contains("0.0 / unlimited"), "\(list)")
            let text = try await world.admin(["home", "show", "alice"])
            #expect(text.contains("upload    20000 kbit/s (burst 250000 B) · now "), "\(text)")
            let metrics = try await world.metrics()
            let throttled = metrics.split(separator: "\n").first {
                $0.hasPrefix(#"portico_home_throttled_seconds_total{home="alice",direction="upload"} "#)
            }
            #expect(Double(throttled?.split(separator: " ").last ?? "") ?? 0 > 1, "\(metrics)")

            // A quarter of the rate, applied to the running connection.
            try await world.admin(["home", "limit", "alice", "--kbps", "5000"])
            let lowered = ContinuousClock.now
            Self.expectNear(
                try await Self.rate(upload.received, after: lowered, from: .milliseconds(700), to: .milliseconds(1_700)),
                Self.twentyMbit / 4, within: 0.15, "upload after lowering to 5 Mbit/s")

            // Cleared: the connection runs far above the old limit at once.
            try await world.admin(["home", "limit", "alice", "--kbps", "none"])
            let free = try await Self.rate(of: 20_000_000, after: upload.received.total, in: upload.received)
            await upload.close()
            #expect(free > 4 * Self.twentyMbit, "unlimited: \(Int(free)) B/s")

            try await world.admin(["home", "limit", "alice", "--download-kbps", "20000"])
            let download = try await BulkClient(port: alice.port, direction: .download)
            let landed = alice.service.downloads
            let downloadStart = try await Self.firstArrival(landed)
            Self.expectNear(
                try await Self.rate(landed, after: downloadStart, from: .seconds(1), to: .milliseconds(2_500)),
                Self.twentyMbit, within: 0.12, "download at 20 Mbit/s")
            await download.close()
            await world.stop()
        }

        @Test("a home saturated at its limit: a connection started later gets its share at once, and PINGs stay prompt")
        func fairnessAndPing() async throws {
            let world = try await BulkHomes.start(["alice"])
            let alice = world["alice"]
            try await world.admin(["home", "limit", "alice", "--kbps", "20000"])
            let bulk = try await BulkClient(port: alice.port, direction: .upload)
            _ = try await Self.firstArrival(bulk.received)
            try await Task.sleep(for: .seconds(1))

            let late = try await BulkClient(port: alice.port, direction: .upload)
            let lateStart = try await Self.firstArrival(late.received)
            try await Task.sleep(until: lateStart + .milliseconds(1_050))
            let lateBytes = late.received.bytes(from: lateStart, to: lateStart + .seconds(1))
            let bulkBytes = bulk.received.bytes(from: lateStart, to: lateStart + .seconds(1))
            let share = Double(lateBytes) / Double(max(1, lateBytes + bulkBytes))
            #expect(share > 0.35, "in its first second the late connection got \(lateBytes) B, the bulk one \(bulkBytes) B")

            let ping = try await world.admin(["home", "ping", "alice", "--count", "10", "--interval", "0.1"])
            let summary = try #require(ping.split(separator: "\n").last)
            let slowest = Double(summary.split(separator: "/").last?.split(separator: " ").first ?? "") ?? .infinity
            #expect(slowest < 100, "PING while saturated: \(summary)")
            await bulk.close()
            await late.close()
            await world.stop()
        }

        @Test("a throttled home does not slow an unthrottled one on the same edge; limits survive an edge restart")
        func isolationAndRestart() async throws {
            let world = try await BulkHomes.start(["alice", "bob"])
            try await world.admin(["home", "limit", "alice", "--kbps", "20000"])

            // Bob's transfers are 60 MB each (after 5 MB of window growth),
            // alone and then beside alice running at her limit.
            let bob = try await BulkClient(port: world["bob"].port, direction: .upload)
            let alone = try await Self.rate(of: 60_000_000, after: 5_000_000, in: bob.received)
            await bob.close()
            let alice = try await BulkClient(port: world["alice"].port, direction: .upload)
            let aliceStart = try await Self.firstArrival(alice.received)
            try await Task.sleep(until: aliceStart + .milliseconds(300))
            let bobAgain = try await BulkClient(port: world["bob"].port, direction: .upload)
            let together = try await Self.rate(of: 60_000_000, after: 5_000_000, in: bobAgain.received)
            await bobAgain.close()
            let aliceRate = try await Self.rate(
                alice.received, after: aliceStart, from: .milliseconds(300), to: .milliseconds(1_300))
            #expect(together > 0.5 * alone, "bob alone \(Int(alone)) B/s, beside throttled alice \(Int(together)) B/s")
            Self.expectNear(aliceRate, Self.twentyMbit, within: 0.2, "alice beside unlimited bob")
            await alice.close()

            try await world.restartEdge()
            try await world["alice"].agent.waitUntilHealthy()
            let shown = try await world.show("alice")
            let upload = (shown["traffic"] as? [String: Any])?["upload"] as? [String: Any]
            #expect(upload?["limit_kbps"] as? Int == 20_000, "\(shown)")
            let again = try await BulkClient(port: world["alice"].port, direction: .upload)
            let againStart = try await Self.firstArrival(again.received)
            Self.expectNear(
                try await Self.rate(again.received, after: againStart, from: .milliseconds(700), to: .milliseconds(1_700)),
                Self.twentyMbit, within: 0.15, "alice after the edge restarted")
            await again.close()
            await world.stop()
        }
    }
}
