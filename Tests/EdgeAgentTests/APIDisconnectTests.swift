import Foundation
import NIOCore
import NIOPosix
import Testing
import Wire
@testable import EdgeAgent

/// Deleting a home through the API ends its live tunnel session at once.
@Suite struct APIDisconnectTests {
    @Test func deleteClosesTheLiveSessionWithinOneSecond() async throws {
        try await APIHarness.with { api in
            _ = try await api.registry.createHome(name: "alpha", now: RegistryFixture.t0)
            try await api.registry.claimDomain("example.com", home: "alpha", now: RegistryFixture.t0)
            _ = try await api.registry.syncForwards(
                home: "alpha", declarations: [.init(name: "web", type: .https, hostname: "www.example.com")],
                tcpPortRange: RegistryFixture.ports, now: RegistryFixture.t0)
            let pair = try await LoopbackSessionPair()
            api.sessions.register(pair.edge, for: "alpha")

            let show = try await api.send("GET", "/api/homes/alpha")
            #expect(show.json["connected"] == .bool(true))
            let routes = try await api.send("GET", "/api/routes")
            #expect(routes.json["routes"]?.arrayValue.first?["connected"] == .bool(true))

            let started = ContinuousClock.now
            #expect(try await api.send("DELETE", "/api/homes/alpha").status == 204)
            // The home's end sees its connection close: the session is really
            // gone. Polled with a bound so a regression fails instead of hanging.
            while pair.home.channel.isActive, ContinuousClock.now - started < .seconds(3) {
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(!pair.home.channel.isActive)
            #expect(ContinuousClock.now - started < .seconds(1))
            #expect(!pair.edge.channel.isActive)
            #expect(api.sessions.connectedHomes.isEmpty)
            try await pair.shutdown()
        }
    }
}

/// A home-side and an edge-side session over a real TCP connection on 127.0.0.1.
struct LoopbackSessionPair {
    let group: MultiThreadedEventLoopGroup
    let server: Channel
    let home: WireSession
    let edge: WireSession

    init() async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let accepted = group.next().makePromise(of: WireSession.self)
        let noStreams: @Sendable (WireStreamChannel) -> EventLoopFuture<Void> = { $0.eventLoop.makeSucceededVoidFuture() }
        server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    accepted.succeed(try channel.pipeline.syncOperations.addWireSession(
                        role: .listener, inboundStreamInitializer: noStreams))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let dialed = group.next().makePromise(of: WireSession.self)
        _ = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    dialed.succeed(try channel.pipeline.syncOperations.addWireSession(
                        role: .dialer, inboundStreamInitializer: noStreams))
                }
            }
            .connect(to: server.localAddress!).get()
        home = try await dialed.futureResult.get()
        edge = try await accepted.futureResult.get()
        _ = try await home.ready.get()
        _ = try await edge.ready.get()
    }

    func shutdown() async throws {
        try? await home.channel.close()
        try? await server.close()
        try await group.shutdownGracefully()
    }
}
