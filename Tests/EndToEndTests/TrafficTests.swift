import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// Public connections through the real `edgeagent serve` and `homeagent run`
    /// to a service at home, on all three listener kinds, checked byte for byte.
    @Suite("Traffic end to end", .serialized)
    struct TrafficTests {
        @Test("a TCP forward carries 4 MiB each way byte-exact, half-close included")
        func tcpForward() async throws {
            let world = try await EchoHome.start()
            let payload = PublicClient.payload(4 << 20, seed: 1)
            let echoed = try await PublicClient.exchange(port: world.tcpPort, sending: payload)
            #expect(echoed.count == payload.count)
            #expect(echoed == payload)
            await world.stop()
        }

        @Test("the TLS port routes by SNI and passes the ClientHello and everything after it through untouched")
        func tlsPassthrough() async throws {
            let world = try await EchoHome.start()
            let sent = EchoHome.clientHello(EchoHome.tlsName) + PublicClient.payload(1 << 20, seed: 2)
            let echoed = try await PublicClient.exchange(port: world.edge.ports.https, sending: sent)
            #expect(echoed == sent)
            #expect(world.agent.log.contains("server_name=\(EchoHome.tlsName)"))
            await world.stop()
        }

        @Test("the HTTP port routes by Host and forwards the request head (plus the edge's forwarding headers) and body byte for byte")
        func httpByHost() async throws {
            let world = try await EchoHome.start()
            let body = PublicClient.payload(256 << 10, seed: 3)
            let sent = EchoHome.requestHead(EchoHome.httpName, bodyLength: body.count) + body
            let echoed = try await PublicClient.exchange(port: world.edge.ports.http, sending: sent)
            #expect(echoed == EchoHome.relayedRequestHead(EchoHome.httpName, bodyLength: body.count) + body)
            await world.stop()
        }

        @Test("500 concurrent public connections across TLS, HTTP and TCP are all byte-exact")
        func fiveHundredConcurrent() async throws {
            let world = try await EchoHome.start()
            let ports = world.edge.ports
            let tcpPort = world.tcpPort
            let failures = try await withThrowingTaskGroup(of: Bool.self) { group in
                for index in 0..<500 {
                    group.addTask {
                        let body = PublicClient.payload(16 << 10 + index, seed: UInt64(100 + index))
                        let (port, sent, expected): (Int, [UInt8], [UInt8])
                        switch index % 3 {
                        case 0: (port, sent, expected) = (ports.https, EchoHome.clientHello(EchoHome.tlsName) + body, EchoHome.clientHello(EchoHome.tlsName) + body)
                        case 1:
                            (port, sent, expected) = (
                                ports.http, EchoHome.requestHead(EchoHome.httpName, bodyLength: body.count) + body,
                                EchoHome.relayedRequestHead(EchoHome.httpName, bodyLength: body.count) + body)
                        default: (port, sent, expected) = (tcpPort, body, body)
                        }
                        return try await PublicClient.exchange(port: port, sending: sent, timeout: .seconds(60)) == expected
                    }
                }
                var failures = 0
                for try await ok in group where !ok { failures += 1 }
                return failures
            }
            #expect(failures == 0)
            await world.stop()
        }

        @Test("with proxy_protocol v2 the service first sees a PROXY header naming the public client")
        func proxyProtocol() async throws {
            let world = try await EchoHome.start(proxyProtocol: true)
            let body = PublicClient.payload(1000, seed: 4)
            let echoed = try await PublicClient.exchange(port: world.tcpPort, sending: body)
            let signature: [UInt8] = [0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A]
            #expect(Array(echoed.prefix(12)) == signature)
            #expect(echoed.suffix(body.count).elementsEqual(body))
            // fam 0x11 (TCP over IPv4), source 127.0.0.1
            #expect(echoed[13] == 0x11)
            #expect(Array(echoed[16..<20]) == [127, 0, 0, 1])
            let tls = try await PublicClient.exchange(
                port: world.edge.ports.https, sending: EchoHome.clientHello(EchoHome.tlsName))
            let authority = Array(EchoHome.tlsName.utf8)
            #expect(tls.prefix(200).windows(ofCount: authority.count).contains { $0.elementsEqual(authority) })
            await world.stop()
        }

        @Test("a long-quiet connection stays open and each small message passes at once, nothing held back")
        func quietConnection() async throws {
            let world = try await EchoHome.start()
            let held = try await HeldConnection(port: world.edge.ports.https)
            let hello = EchoHome.clientHello(EchoHome.tlsName)
            try await held.send(hello)
            let start = hello.count
            #expect(try await eventually { try await held.receivedCount == start })
            for round in 0..<3 {
                // Quiet for longer than a keepalive interval, then one small message.
                try await Task.sleep(for: .seconds(round == 0 ? 6 : 1))
                try await held.send(Array("event \(round)\n".utf8))
                let expected = start + 8 * (round + 1)
                #expect(try await eventually(timeout: .seconds(2)) { try await held.receivedCount == expected })
            }
            #expect(try await held.finish().count == start + 24)
            await world.stop()
        }

        @Test("homeagent status reports the session and each forward's public address")
        func status() async throws {
            let world = try await EchoHome.start()
            let status = try await world.agent.status()
            #expect(status.code == 0)
            #expect(status.document?["state"] as? String == "connected")
            #expect(try await world.agent.publicAddress(of: "tls") == "https://\(EchoHome.tlsName):\(world.edge.ports.https)")
            #expect(try await world.agent.publicAddress(of: "web") == "http://\(EchoHome.httpName):\(world.edge.ports.http)")
            #expect(try await world.agent.publicAddress(of: "raw") == "127.0.0.1:\(world.tcpPort)")
            #expect(world.edge.tcpPorts.contains(world.tcpPort))
            await world.stop()
        }
    }
}

extension Collection {
    /// Every run of `count` consecutive elements.
    func windows(ofCount count: Int) -> [SubSequence] {
        guard count > 0, self.count >= count else { return [] }
        var result: [SubSequence] = []
        var start = startIndex
        var end = index(startIndex, offsetBy: count)
        while true {
            result.append(self[start..<end])
            guard end != endIndex else { break }
            formIndex(after: &start)
            formIndex(after: &end)
        }
        return result
    }
}
