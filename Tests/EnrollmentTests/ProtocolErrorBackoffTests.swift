import Foundation
import Synchronization
import NIOCore
import Testing
import TestSupport
import Wire
@testable import EdgeAgent

/// A real `homeagent run` whose every session the edge ends with a protocol
/// error (here PROTOCOL_ERROR; the review met FRAME_SIZE_ERROR): the agent
/// backs off, growing, instead of reconnecting at once ([ERR-6]), and its
/// status and log say why.
@Suite("homeagent backs off after a session the edge ended with an error", .timeLimit(.minutes(2)))
struct ProtocolErrorBackoffTests {
    static let reason = "test: the home broke a rule"

    /// Ends the home's session with GOAWAY PROTOCOL_ERROR when it is a new
    /// one; returns whether it was.
    final class SessionEnder: Sendable {
        let sessions: HomeSessionTable
        /// The last session's channel (held, so that a new one can never
        /// reuse its address), and how many sessions were ended.
        private let state = Mutex<(last: (any Channel)?, ended: Int)>((nil, 0))

        init(sessions: HomeSessionTable) { self.sessions = sessions }

        var ended: Int { state.withLock { $0.ended } }

        func endNewSession() -> Bool {
            guard let session = sessions.session(for: "alice") else { return false }
            let isNew = state.withLock { state in
                guard state.last !== session.channel else { return false }
                state.last = session.channel
                state.ended += 1
                return true
            }
            guard isNew else { return false }
            let channel = session.channel
            // On the loop, GOAWAY is written and flushed before the close, as the edge does it.
            channel.eventLoop.execute {
                _ = session.goAway(code: .protocolError, debug: ProtocolErrorBackoffTests.reason)
                channel.close(promise: nil)
            }
            return true
        }
    }

    @Test("sessions ended with PROTOCOL_ERROR are retried after a growing wait, and status says why")
    func backsOff() async throws { try await EdgeServicesTests.withRunningEdge { running in
        let edge = running.edge
        _ = try await edge.registry.createHome(name: "alice", now: Date())
        let issued = try await edge.registry.issueJoinToken(home: "alice", ttl: .seconds(3600), now: Date())
        let token = try JoinToken(
            host: "127.0.0.1", port: UInt16(edge.tunnelPort), id: issued.idBytes, secret: issued.secret,
            caPin: edge.authority.caPin)
        let config = running.directory.appendingPathComponent("home/homeagent.yaml").path
        let joined = try await AgentRun.run("homeagent", ["join", token.text, "--config", config])
        try #require(joined.status == 0, "join: \(joined.error)")
        let log = running.directory.appendingPathComponent("home/run.log").path
        let agent = try SpawnedProcess(AgentRun.binary("homeagent"), ["run", "--config", config], output: log, error: log)
        let ender = SessionEnder(sessions: edge.sessions)
        do {
            // The first session, however long a loaded machine takes to make it.
            #expect(try await eventually(timeout: .seconds(30)) { ender.endNewSession() })
            let first = ContinuousClock.now
            // Waits of at least 0.5, 1 and 2 s follow (1 s doubling, never
            // below half the ceiling): four sessions at most in four seconds.
            // Reconnecting at once, the agent made dozens a second.
            while ContinuousClock.now - first < .seconds(4) {
                _ = ender.endNewSession()
                try await Task.sleep(for: .milliseconds(5))
            }
            #expect(ender.ended >= 2 && ender.ended <= 4, "sessions in 4 s: \(ender.ended)")

            let waiting = try await eventually(timeout: .seconds(30)) {
                _ = ender.endNewSession()
                let status = try await AgentRun.run("homeagent", ["status", "--json", "--config", config])
                let document = try? JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
                return document?["state"] as? String == "waiting"
                    && document?["last_error"] as? String
                    == "the edge ended the session with an error (PROTOCOL_ERROR: \(Self.reason))"
                    && document?["retry_at"] != nil
            }
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(waiting, "log: \(text.suffix(3000))")
            #expect(text.contains("the edge ended the session with an error (PROTOCOL_ERROR: \(Self.reason)) "
                + "Waiting before reconnecting."), "log: \(text.suffix(3000))")
            #expect(agent.isRunning)
        } catch {
            await agent.killAndWait()
            throw error
        }
        #expect(await agent.terminate(timeout: .seconds(10)) == 0)
    } }
}
