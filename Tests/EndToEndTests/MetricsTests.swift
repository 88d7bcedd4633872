import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// `/metrics` of a real `edgeagent serve` after real connections through a
    /// real `homeagent run`.
    @Suite("Metrics end to end", .serialized)
    struct MetricsTests {
        /// The documented buckets of every latency histogram, in seconds.
        static let bucketBounds: [Double] = [
            0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, .infinity,
        ]

        @Test("stream-open and first-byte histograms count accepted and refused connections; a deleted home's series go")
        func latencyHistograms() async throws {
            let world = try await EchoHome.start()
            let body = PublicClient.payload(4 << 10, seed: 11)
            let exchanges: [(port: Int, bytes: [UInt8], echo: [UInt8])] = [
                (world.tcpPort, body, body),
                (world.edge.ports.https, EchoHome.clientHello(EchoHome.tlsName) + body, EchoHome.clientHello(EchoHome.tlsName) + body),
                (world.edge.ports.http, EchoHome.requestHead(EchoHome.httpName, bodyLength: body.count) + body,
                 EchoHome.relayedRequestHead(EchoHome.httpName, bodyLength: body.count) + body),
            ]
            for exchange in exchanges {
                #expect(try await PublicClient.exchange(port: exchange.port, sending: exchange.bytes) == exchange.echo)
            }
            // With its target gone the home refuses the stream with RST.
            await world.echo.close()
            #expect(try await PublicClient.exchange(port: world.tcpPort, sending: body, timeout: .seconds(10)).isEmpty)

            let exposition = try PrometheusExposition(try await world.edge.metrics())
            let accepted = ["home": "alice", "outcome": "accepted"]
            let refused = ["home": "alice", "outcome": "refused"]
            #expect(exposition.types["portico_stream_open_seconds"] == "histogram")
            #expect(exposition.value("portico_stream_open_seconds_count", accepted) == 3)
            #expect(exposition.value("portico_stream_open_seconds_count", refused) == 1)
            #expect(exposition.value("portico_public_first_byte_seconds_count", ["home": "alice"]) == 3)
            for (name, labels) in [
                ("portico_stream_open_seconds", accepted), ("portico_stream_open_seconds", refused),
                ("portico_public_first_byte_seconds", ["home": "alice"]),
            ] {
                #expect(exposition.buckets(name, labels).map(\.bound) == Self.bucketBounds, "\(name) \(labels)")
                #expect(exposition.isConsistentHistogram(name, labels), "\(name) \(labels)")
                #expect((exposition.value(name + "_sum", labels) ?? 0) > 0, "\(name) \(labels)")
            }
            // On loopback every answer came within the 10 s bucket.
            let firstByte = exposition.buckets("portico_public_first_byte_seconds", ["home": "alice"])
            #expect(firstByte.first { $0.bound == 10 }?.count == 3)
            #expect(exposition.value("portico_home_connected", ["home": "alice"]) == 1)
            #expect((exposition.value("portico_home_bytes_total", ["home": "alice", "direction": "upload"]) ?? 0) >= Double(3 * body.count))

            let deleted = try await AgentRun.run(
                "edgeagent", ["home", "delete", "alice", "--data-dir", world.edge.directory.path])
            #expect(deleted.status == 0, "stderr: \(deleted.error)")
            let after = try PrometheusExposition(try await world.edge.metrics())
            let left = after.samples.filter { $0.labels["home"] == "alice" }
            #expect(left.isEmpty, "\(left.prefix(5))")
            #expect(after.samples("portico_homes").allSatisfy { $0.value == 0 })
            await world.stop()
        }
    }
}
