import TestSupport
import Foundation
import NIOCore
import NIOPosix
import Testing
import Wire
@testable import HomeAgent

/// The home's control client against a scripted peer (plain TCP, no edge):
/// what it does when answers come late or never.
@Suite("Edge request client timeouts and session loss", .timeLimit(.minutes(1)))
struct ForwardSyncClientTests {
    /// Answers each FORWARDS_SYNC in order, echoing the names with
    /// `public_address` "answer N", after `delays[N]` (none once they run
    /// out), as an edge does, except syncs numbered in `unanswered`, whose
    /// answer is lost; echoes `request_id` unless `echoesRequestIDs` is false
    /// (an edge that predates it); never answers DOMAIN_REQUEST.
    final class ScriptedEdge: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        private let session: WireSession
        private var delays: [TimeAmount]
        private let unanswered: Set<Int>
        private let echoesRequestIDs: Bool
        private var received = 0
        private var tail: EventLoopFuture<Void>?

        init(session: WireSession, delays: [TimeAmount], unanswered: Set<Int>, echoesRequestIDs: Bool) {
            self.session = session
            self.delays = delays
            self.unanswered = unanswered
            self.echoesRequestIDs = echoesRequestIDs
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            guard case SessionEvent.control(let kind, let body) = event,
                case .forwardsSync(let sync)? = try? ControlMessage.decode(kind: ControlKind(rawValue: kind), body: body)
            else { return }
            let number = received
            received += 1
            guard !unanswered.contains(number) else { return }
            let delay = delays.isEmpty ? .zero : delays.removeFirst()
            let session = self.session
            let loop = context.eventLoop
            let result = ForwardsResult(
                requestID: echoesRequestIDs ? sync.requestID : nil,
                forwards: sync.forwards.map { ForwardStatus(name: $0.name, publicAddress: "answer \(number)") })
            tail = (tail ?? loop.makeSucceededVoidFuture()).flatMap {
                loop.scheduleTask(in: delay) {}.futureResult
            }.flatMap { session.send(.forwardsResult(result)) }
        }
    }

    /// A listener session on loopback with a scripted edge, and a dialer session with a control client.
    static func pair(
        group: EventLoopGroup, delays: [TimeAmount], unanswered: Set<Int> = [], echoesRequestIDs: Bool = true,
        timeout: TimeAmount
    ) async throws -> (Channel, WireSession, EdgeRequestClient) {
        let server = try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = try channel.pipeline.syncOperations.addWireSession(role: .listener) {
                        $0.eventLoop.makeSucceededVoidFuture()
                    }
                    try channel.pipeline.syncOperations.addHandler(ScriptedEdge(
                        session: session, delays: delays, unanswered: unanswered, echoesRequestIDs: echoesRequestIDs))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let promise = group.next().makePromise(of: (WireSession, EdgeRequestClient).self)
        _ = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = try channel.pipeline.syncOperations.addWireSession(role: .dialer) {
                        $0.eventLoop.makeSucceededVoidFuture()
                    }
                    let client = try EdgeRequestClient.install(
                        on: channel.pipeline.syncOperations, session: session, timeout: timeout)
                    promise.succeed((session, client))
                }
            }
            .connect(to: server.localAddress!).get()
        let (session, client) = try await promise.futureResult.get()
        return (server, session, client)
    }

    @Test("a sync that timed out does not take the next sync's answer, nor the next sync its late one",
          arguments: [true, false])
    func lateAnswerIsDropped(echoesRequestIDs: Bool) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (server, session, client) = try await Self.pair(
            group: group, delays: [.milliseconds(400)], echoesRequestIDs: echoesRequestIDs, timeout: .milliseconds(150))
        do {
            _ = try await client.syncForwards(declarations: [ForwardDeclaration(name: "first", type: .tcp)])
            Issue.record("the first sync did not time out")
        } catch {
            #expect(error == .timedOut(.forwardsSync, after: .milliseconds(150)))
        }
        var patient = client
        patient.timeout = .seconds(5)
        let second = try await patient.syncForwards(declarations: [ForwardDeclaration(name: "second", type: .tcp)])
        #expect(second == [ForwardStatus(name: "second", publicAddress: "answer 1")])
        try await session.channel.close()
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("a sync whose answer never came does not make the next sync's answer look stale (request_id)")
    func lostAnswerDoesNotStallLaterSyncs() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (server, session, client) = try await Self.pair(
            group: group, delays: [], unanswered: [0], timeout: .milliseconds(150))
        await #expect(throws: EdgeRequestError.timedOut(.forwardsSync, after: .milliseconds(150))) {
            try await client.syncForwards(declarations: [ForwardDeclaration(name: "lost", type: .tcp)])
        }
        var patient = client
        patient.timeout = .seconds(10)
        for round in 1...3 {
            let answer = try await patient.syncForwards(declarations: [ForwardDeclaration(name: "next", type: .tcp)])
            #expect(answer == [ForwardStatus(name: "next", publicAddress: "answer \(round)")])
        }
        try await session.channel.close()
        try await server.close()
        try await group.shutdownGracefully()
    }

    @Test("an unanswered domain request times out; after the session closes, requests fail with sessionClosed")
    func timeoutThenClosed() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let (server, session, client) = try await Self.pair(group: group, delays: [], timeout: .milliseconds(100))
        await #expect(throws: EdgeRequestError.timedOut(.domainRequest, after: .milliseconds(100))) {
            try await client.addDomain("example.com")
        }
        var patient = client
        patient.timeout = .seconds(10)
        let pending = Task { try await patient.removeDomain("example.com") }
        try await Task.sleep(for: .milliseconds(50))
        try await session.channel.close()
        await #expect(throws: EdgeRequestError.sessionClosed) { try await pending.value }
        await #expect(throws: EdgeRequestError.sessionClosed) { try await client.syncForwards(declarations: []) }
        try await server.close()
        try await group.shutdownGracefully()
    }
}
