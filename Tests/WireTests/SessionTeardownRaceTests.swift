import NIOCore
import NIOPosix
import Synchronization
import Testing
@testable import Wire

/// A caller that hops onto a session's event loop after the connection ended
/// (a public connection routed to a home whose session just closed) must find
/// a closed session, never freed memory: the edge once crashed this way with
/// "Attempted to read an unowned reference but object was already destroyed".
@Suite("Session: calls that race the end of the connection", .timeLimit(.minutes(1)))
struct SessionTeardownRaceTests {
    enum Ending: String, CaseIterable, CustomTestStringConvertible {
        /// The peer's TCP connection closes (a home killed or restarted).
        case connectionClosed
        /// The peer drains with GOAWAY, and the idle session closes at once.
        case goAway

        var testDescription: String { rawValue }
    }

    @Test("opening a stream after the session ended fails with sessionClosed and the process lives", arguments: Ending.allCases)
    func openAfterEnd(_ ending: Ending) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let accepted = loop.makePromise(of: NIOLoopBound<WireSessionHandler>.self)
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.addWireSession(role: .listener) { $0.eventLoop.makeSucceededVoidFuture() }
                    let handler = try channel.pipeline.syncOperations.handler(type: WireSessionHandler.self)
                    accepted.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let peer = try await RawPeer.connect(to: try #require(server.localAddress), group: group)
        try await peer.send(RawPeer.hello)
        // The test keeps the handler, as a hop onto the loop does, but no
        // reference to the connection itself.
        let handler = try await accepted.futureResult.get()
        _ = try await loop.flatSubmit { handler.value.ready }.get()

        switch ending {
        case .connectionClosed: try await peer.channel.close()
        case .goAway: try await peer.send(.goAway(lastStreamID: .connection, code: .noError, debug: "restarting"))
        }
        // Wait until the session's connection has closed and let the loop
        // finish tearing it down.
        let deadline = ContinuousClock.now + .seconds(20)
        while try await loop.submit({ handler.value.channel != nil }).get(), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(try await loop.submit { handler.value.channel == nil }.get())
        for _ in 0..<3 { try await loop.submit {}.get() }

        let opened = try await loop.flatSubmit {
            handler.value.openStream(metadata: StreamMetadata(forward: "web"), initialData: nil, compression: false) {
                $0.eventLoop.makeSucceededVoidFuture()
            }.map { _ in "opened" }.recover { "\($0)" }
        }.get()
        #expect(opened == "\(WireSessionError.sessionClosed)")

        try? await peer.channel.close()
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("a thousand opens racing the end of the session all complete, opened or refused")
    func opensRacingTheEnd() async throws {
        let pair = try await SessionPair()
        let handle = pair.listener
        let results = Tally()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<1_000 {
                group.addTask {
                    let outcome: String
                    do {
                        let stream = try await handle.openStream(metadata: StreamMetadata(forward: "f\(index)")) {
                            $0.eventLoop.makeSucceededVoidFuture()
                        }.get()
                        stream.close(promise: nil)
                        outcome = "opened"
                    } catch let error as WireSessionError {
                        outcome = "\(error)"
                    }
                    results.count(outcome)
                }
                if index == 500 { group.addTask { try await pair.dialer.channel.close() } }
            }
            try await group.waitForAll()
        }
        let counts = results.counts
        #expect(counts.values.reduce(0, +) == 1_000, "\(counts)")
        #expect(Set(counts.keys).isSubset(of: ["opened", "\(WireSessionError.sessionClosed)"]), "\(counts)")
        try await pair.shutdown()
    }
}

/// Outcomes counted from many tasks.
private final class Tally: Sendable {
    private let value = Mutex<[String: Int]>([:])

    func count(_ outcome: String) { value.withLock { $0[outcome, default: 0] += 1 } }

    var counts: [String: Int] { value.withLock { $0 } }
}
