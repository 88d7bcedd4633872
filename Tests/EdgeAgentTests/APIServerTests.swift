import Foundation
import Logging
import NIOPosix
import Testing
@testable import EdgeAgent

/// Starting and stopping the listener.
@Suite struct APIServerTests {
    private func context(_ registry: Registry) -> APIContext {
        APIContext(
            registry: registry, sessions: HomeSessionTable(), adminToken: AdminToken(value: APIHarness.token),
            tunnelHost: "127.0.0.1", tunnelPort: 8444, caPin: APIHarness.caPin, publicAddresses: EdgePublicAddresses(hostname: "localhost"),
            clock: { Date() })
    }

    private var quietLogger: Logger {
        var logger = Logger(label: "portico.api.test")
        logger.logLevel = .critical
        return logger
    }

    @Test func stopClosesTheListener() async throws {
        try await RegistryFixture.with { registry, directory in
            let server = try await RunningAPIServer.start(port: 0, context: context(registry), logger: quietLogger)
            #expect(server.port > 0)
            let url = "http://127.0.0.1:\(server.port)/healthz"
            let before = try await Curl.run(method: "GET", url: url, headers: [], bodyFile: nil, scratch: directory)
            #expect(before.status == 200)
            await server.stop()
            await server.stop()  // a second stop is harmless
            let after = try await Curl.run(method: "GET", url: url, headers: [], bodyFile: nil, scratch: directory)
            #expect(after.status == 0, "still answering after stop: \(after)")
        }
    }

    @Test func aTakenPortFailsStartWithAClearError() async throws {
        try await RegistryFixture.with { registry, _ in
            let first = try await RunningAPIServer.start(port: 0, context: context(registry), logger: quietLogger)
            await #expect {
                _ = try await RunningAPIServer.start(port: first.port, context: context(registry), logger: quietLogger)
            } throws: { error in
                "\(error)" == "API port 127.0.0.1:\(first.port) is in use by another process"
            }
            await first.stop()
        }
    }
}

private let loops = MultiThreadedEventLoopGroup.singleton
