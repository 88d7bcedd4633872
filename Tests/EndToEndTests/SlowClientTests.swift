import Foundation
import NIOCore
import NIOPosix
import Testing
import TestSupport

extension EndToEndSuite {
    /// Clients that trickle their first bytes cost the edge a small buffer and a
    /// timer each, never a stream, and never delay anyone else.
    @Suite("Slow clients", .serialized)
    struct SlowClientTests {
        @Test("200 connections sending a ClientHello one byte a second do not delay a normal client, and are closed after 5 s")
        func slowloris() async throws {
            let world = try await EchoHome.start()
            let port = world.edge.ports.https
            let hello = EchoHome.clientHello(EchoHome.tlsName)
            let group = MultiThreadedEventLoopGroup.singleton
            var opened: [Channel] = []
            for _ in 0..<200 {
                opened.append(try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get())
            }
            let slow = opened
            // One byte a second from each, for at most 8 seconds.
            let dripping = Task {
                for index in 0..<8 {
                    for channel in slow where channel.isActive {
                        channel.writeAndFlush(ByteBuffer(bytes: [hello[index]]), promise: nil)
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
            }
            try await Task.sleep(for: .seconds(1))
            let started = ContinuousClock.now
            let sent = hello + PublicClient.payload(20_000, seed: 30)
            #expect(try await PublicClient.exchange(port: port, sending: sent) == sent)
            let took = ContinuousClock.now - started
            #expect(took < .seconds(2), "a normal client took \(took) beside 200 slow ones")
            // The peek timeout closes every slow connection.
            #expect(try await eventually(timeout: .seconds(10)) { slow.allSatisfy { !$0.isActive } })
            dripping.cancel()
            #expect(world.agent.log.components(separatedBy: "server_name=").count - 1 == 1)
            for channel in slow { try? await channel.close() }
            await world.stop()
        }
    }
}
