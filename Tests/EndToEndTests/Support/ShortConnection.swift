import NIOCore
import NIOPosix
import TestSupport

/// One short public connection to an `EchoHome`, on one of its three
/// listeners, ending in one of the ways a real client ends: the failure
/// endings are there because leaks hide on failure paths.
struct ShortConnection: Sendable {
    enum Listener: CaseIterable, Sendable {
        case tls, http, tcp
    }

    enum Ending: Sendable {
        /// Sends a few bytes, half-closes, reads the whole echo.
        case completed
        /// Reads the whole echo, then resets (SO_LINGER 0) while the stream is open.
        case reset
        /// Sends 16 KB and closes once a quarter of the echo has come back.
        case cutMidEcho
        /// Closes before the edge could route it, after half a ClientHello
        /// or request head; on the TCP port, which routes at accept, it
        /// closes at once without sending.
        case beforeRoute
    }

    var listener: Listener
    var ending: Ending

    /// The mix for connection number `index`: the listeners in turn; of
    /// every ten on a listener, six complete, two reset, one is cut
    /// mid-echo and one closes before it is routed.
    init(index: Int) {
        listener = Listener.allCases[index % 3]
        switch (index / 3) % 10 {
        case 0..<6: ending = .completed
        case 6, 7: ending = .reset
        case 8: ending = .cutMidEcho
        default: ending = .beforeRoute
        }
    }

    /// Runs the connection; false if the echo did not come back as it should.
    func run(in world: EchoHome, seed: UInt64) async throws -> Bool {
        let body = PublicClient.payload(ending == .cutMidEcho ? 16 << 10 : 200, seed: seed)
        let (port, head, echoedHead): (Int, [UInt8], [UInt8])
        switch listener {
        case .tls:
            let hello = EchoHome.clientHello(EchoHome.tlsName)
            (port, head, echoedHead) = (world.edge.ports.https, hello, hello)
        case .http:
            (port, head, echoedHead) = (
                world.edge.ports.http, EchoHome.requestHead(EchoHome.httpName, bodyLength: body.count),
                EchoHome.relayedRequestHead(EchoHome.httpName, bodyLength: body.count))
        case .tcp: (port, head, echoedHead) = (world.tcpPort, [], [])
        }
        let sent = head + body
        switch ending {
        case .completed:
            return try await PublicClient.exchange(port: port, sending: sent, timeout: .seconds(20)) == echoedHead + body
        case .reset, .cutMidEcho:
            let wanted = ending == .reset ? sent.count : sent.count / 4
            let connection = try await HeldConnection(port: port)
            try await connection.send(sent)
            let echoed = try await eventually(timeout: .seconds(20)) { try await connection.receivedCount >= wanted }
            if ending == .reset {
                guard let socket = connection.channel as? SocketOptionProvider else {
                    throw PublicClient.Failure(description: "a client channel does not take socket options")
                }
                try await socket.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
            }
            try? await connection.channel.close()
            return echoed
        case .beforeRoute:
            let connection = try await HeldConnection(port: port)
            if !head.isEmpty { try await connection.send(Array(head.prefix(head.count / 2))) }
            try? await connection.channel.close()
            return true
        }
    }

    /// Runs connections `range` from `concurrency` clients at a time, and
    /// returns what went wrong with those that did not echo as they should
    /// (one line each), so a failure says which kinds of connection fail.
    static func churn(_ range: Range<Int>, in world: EchoHome, concurrency: Int) async throws -> [String] {
        try await withThrowingTaskGroup(of: [String].self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    var failures: [String] = []
                    for index in stride(from: range.lowerBound + worker, to: range.upperBound, by: concurrency) {
                        let connection = ShortConnection(index: index)
                        do {
                            if !(try await connection.run(in: world, seed: UInt64(index))) {
                                failures.append("#\(index) \(connection.listener) \(connection.ending): echo wrong or missing")
                            }
                        } catch {
                            failures.append("#\(index) \(connection.listener) \(connection.ending): \(error)")
                        }
                    }
                    return failures
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
    }
}
