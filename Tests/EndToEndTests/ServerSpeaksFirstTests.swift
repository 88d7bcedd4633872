import Foundation
import Testing
import TestSupport
import Wire

extension EndToEndSuite {
    /// Services that send before the client does, behind `proxy_protocol: v2`
    /// (issue 10, defect 8): the home must flush the PROXY header at once, or
    /// the service waits for it while the client waits for the banner.
    @Suite("Server speaks first end to end", .serialized)
    struct ServerSpeaksFirstTests {
        @Test("a banner-first service behind a PROXY v2 TCP forward greets a client that sends nothing")
        func bannerArrivesWithoutClientBytes() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let service = try await BannerServer()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["smtp", "--type", "tcp", "--target", "127.0.0.1:\(service.port)", "--proxy-protocol", "v2"],
            ])
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            let port = try await agent.publicPort(of: "smtp")

            // Three clients in turn, none of them sending a byte.
            for round in 1...3 {
                let client = try await HeldConnection(port: port)
                let greeted = try await eventually(timeout: .seconds(20)) {
                    try await client.receivedCount >= BannerServer.banner.count
                }
                guard greeted else {
                    Issue.record("round \(round): no banner; the service got \(service.headers.count) headers")
                    break
                }
                #expect(Array(try await client.finish().prefix(BannerServer.banner.count)) == BannerServer.banner)
            }
            let headers = service.headers
            #expect(headers.count == 3)
            #expect(headers.allSatisfy {
                if case .tcpIPv4(let source, _, _, let destinationPort) = $0.addresses {
                    source == .init(127, 0, 0, 1) && Int(destinationPort) == port
                } else {
                    false
                }
            }, "\(headers)")
            _ = await agent.terminate()
            _ = await edge.terminate()
            await service.close()
            edge.removeData()
        }
    }
}
