import TestSupport
import Foundation
import NIOCore
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// [CTRL-4]: a forward whose `type` the edge does not know costs that forward
/// alone (`invalid_forward`), not the whole sync (`malformed`).
@Suite("Unknown forward type", .timeLimit(.minutes(1)))
struct ForwardTypeUnknownTests {
    @Test func anUnknownTypeIsInvalidForwardForThatForwardOnly() async throws {
        let edge = try await EdgeFixture()
        let alice = try await ForwardSyncTests.home("alice", on: edge)
        var future = ForwardDeclaration(name: "quic", type: .tcp, target: "127.0.0.1:443")
        future.unrecognizedType = "quic"
        let statuses = try await alice.control.syncForwards(declarations: [
            ForwardDeclaration(name: "ssh", type: .tcp, target: "127.0.0.1:22"),
            future,
            ForwardDeclaration(name: "web", type: .https, hostname: "blog.example.com", target: "127.0.0.1:8443"),
        ])
        #expect(statuses.map(\.name) == ["ssh", "quic", "web"])
        #expect(statuses[0].error == nil && statuses[0].publicAddress != nil)
        #expect(statuses[1].error?.code == "invalid_forward")
        #expect(statuses[1].error?.message.contains("'quic'") == true)
        #expect(statuses[2].publicAddress == "https://blog.example.com")
        #expect(try await edge.registry.forwards(of: "alice").map(\.name) == ["ssh", "web"])
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test func anUnknownTypeSurvivesTheCodec() throws {
        let body = ByteBuffer(string: #"{"forwards":[{"name":"q","type":"quic","hostname":"h.example.com"}]}"#)
        guard case .forwardsSync(let sync)? = try ControlMessage.decode(kind: .forwardsSync, body: body) else {
            Issue.record("not decoded as FORWARDS_SYNC")
            return
        }
        #expect(sync.forwards.first?.unrecognizedType == "quic")
        #expect(sync.forwards.first?.hostname == "h.example.com")
        let encoded = String(buffer: ControlMessage.forwardsSync(sync).encodedBody())
        #expect(encoded.contains(#""type":"quic""#))
    }
}
