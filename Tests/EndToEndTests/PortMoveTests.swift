import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

extension EndToEndSuite {
    /// A TCP forward whose port another program took while the edge was down
    /// moves to a free port when the home syncs, instead of being reported at
    /// an address nobody answers.
    @Suite("TCP forward ports in use on the edge", .serialized)
    struct PortMoveTests {
        @Test("the edge restarts, another program holds the forward's port: the forward moves and works")
        func forwardMovesOffATakenPort() async throws {
            let world = try await EchoHome.start()
            let taken = world.tcpPort
            _ = await world.edge.terminate()
            // Someone else listens on the port before the edge comes back.
            let squatter = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .bind(host: "127.0.0.1", port: taken).get()
            let restarted = try EdgeServerProcess.restarting(world.edge)
            try await restarted.waitUntilReady()

            let moved = try await eventually(timeout: .seconds(15)) {
                guard let address = try await world.agent.publicAddress(of: "raw") else { return false }
                return address != "127.0.0.1:\(taken)"
            }
            #expect(moved, "the raw forward stayed on \(taken)")
            let address = try #require(try await world.agent.publicAddress(of: "raw"))
            let port = try #require(Int(address.split(separator: ":").last ?? ""))
            #expect(restarted.tcpPorts.contains(port))
            let body = PublicClient.payload(100_000, seed: 21)
            #expect(try await PublicClient.exchange(port: port, sending: body) == body)
            #expect(restarted.log.contains("moving forwards off TCP ports in use on the edge"))
            #expect(restarted.log.contains("TCP forward port 127.0.0.1:\(taken) is in use by another process"))

            try await squatter.close()
            _ = await world.agent.terminate()
            _ = await restarted.terminate()
            await world.stop()
        }

        @Test("the edge restarts with a --tcp-ports range that no longer holds a forward's port: the port stays closed while the home is offline, and the forward moves into the range when it syncs")
        func narrowedRangeClosesOldPorts() async throws {
            let world = try await EchoHome.start()
            let old = world.tcpPort
            _ = await world.agent.terminate()
            _ = await world.edge.terminate()
            let narrowed = try FreePorts.range(count: 5)
            let restarted = try EdgeServerProcess(
                directory: world.edge.directory, ports: world.edge.ports, tcpPorts: narrowed)
            try await restarted.waitUntilReady()
            #expect(FreePorts.isFree(old), "the edge listens on \(old), outside its range \(narrowed)")
            #expect(restarted.log.contains("TCP forward port outside --tcp-ports left closed"), "\(restarted.log.suffix(2000))")

            let agent = try HomeAgentProcess(config: world.config)
            try await agent.waitUntilHealthy()
            let port = try await agent.publicPort(of: "raw")
            #expect(narrowed.contains(port), "the raw forward is on \(port), outside \(narrowed)")
            let body = PublicClient.payload(100_000, seed: 22)
            #expect(try await PublicClient.exchange(port: port, sending: body) == body)

            _ = await agent.terminate()
            _ = await restarted.terminate()
            await world.echo.close()
            world.edge.removeData()
        }
    }
}
