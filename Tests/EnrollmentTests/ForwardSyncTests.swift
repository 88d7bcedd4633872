import TestSupport
import Foundation
import NIOCore
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// Forward syncs over a home's session (FORWARDS_SYNC / FORWARDS_RESULT),
/// against a real edge with a real registry.
@Suite("Forward sync over the session", .timeLimit(.minutes(1)))
struct ForwardSyncTests {
    /// The three forwards of the issue's example config.
    static let issueForwards: [HomeConfig.Forward] = [
        HomeConfig.Forward(name: "web", type: .https, hostname: try! ForwardHostname("blog.example.com"),
                           target: HomeConfig.Address(host: "127.0.0.1", port: 8443)),
        HomeConfig.Forward(name: "app", type: .http, hostname: try! ForwardHostname("app.example.com"),
                           target: HomeConfig.Address(host: "127.0.0.1", port: 8080)),
        HomeConfig.Forward(name: "ssh", type: .tcp, target: HomeConfig.Address(host: "127.0.0.1", port: 22)),
    ]

    /// A home with example.com claimed, connected with a control client.
    struct Home {
        var credentials: EnrollmentClient.Result
        var session: WireSession
        var control: EdgeRequestClient
    }

    static func home(_ name: String, domain: String = "example.com", on edge: EdgeFixture) async throws -> Home {
        let credentials = try await edge.enroll(name)
        let (session, control) = try await edge.connectControl(credentials)
        _ = try await control.addDomain(domain)
        return Home(credentials: credentials, session: session, control: control)
    }

    /// The port of a `host:port` TCP forward address.
    static func port(_ status: ForwardStatus) -> Int? {
        status.publicAddress.flatMap { $0.split(separator: ":").last }.flatMap { Int($0) }
    }

    @Test("the issue's https, http and tcp forwards are accepted with their public addresses")
    func acceptsIssueForwards() async throws {
        let edge = try await EdgeFixture()
        let alice = try await Self.home("alice", on: edge)
        let statuses = try await alice.control.syncForwards(Self.issueForwards)
        #expect(statuses.map(\.name) == ["web", "app", "ssh"])
        #expect(statuses.allSatisfy { $0.error == nil })
        #expect(statuses[0].publicAddress == "https://blog.example.com")
        #expect(statuses[1].publicAddress == "http://app.example.com")
        let port = try #require(Self.port(statuses[2]))
        #expect(statuses[2].publicAddress == "edge.portico.test:\(port)")
        #expect(EdgePublicAddresses.defaultTCPPortRange.contains(port))

        let stored = try await edge.registry.forwards(of: "alice")
        #expect(stored.map(\.name) == ["app", "ssh", "web"])
        #expect(stored.first { $0.name == "ssh" }?.target == "127.0.0.1:22")
        #expect(stored.first { $0.name == "ssh" }?.publicPort == port)
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("non-standard public ports appear in https and http addresses")
    func nonStandardPorts() async throws {
        let edge = try await EdgeFixture(publicAddresses: EdgePublicAddresses(
            hostname: "edge.portico.test", tlsPort: 8443, httpPort: 8442, tcpPortRange: 20_000...20_001))
        let alice = try await Self.home("alice", on: edge)
        let statuses = try await alice.control.syncForwards(Self.issueForwards)
        #expect(statuses.map(\.publicAddress) == [
            "https://blog.example.com:8443", "http://app.example.com:8442", "edge.portico.test:20000",
        ])
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("re-syncing an unchanged list keeps the TCP port")
    func resyncKeepsPort() async throws {
        let edge = try await EdgeFixture()
        let alice = try await Self.home("alice", on: edge)
        let first = try await alice.control.syncForwards(Self.issueForwards)
        let second = try await alice.control.syncForwards(Self.issueForwards)
        #expect(first == second)
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("a home that reconnects keeps its TCP port, even after another home took one meanwhile")
    func reconnectKeepsPort() async throws {
        let edge = try await EdgeFixture()
        let alice = try await Self.home("alice", on: edge)
        let before = try await alice.control.syncForwards(Self.issueForwards)
        try await alice.session.channel.close()

        let bob = try await Self.home("bob", domain: "example.net", on: edge)
        let bobs = try await bob.control.syncForwards(declarations: [ForwardDeclaration(name: "db", type: .tcp)])
        #expect(bobs[0].error == nil)
        #expect(Self.port(bobs[0]) != Self.port(before[2]))

        let (session, control) = try await edge.connectControl(alice.credentials)
        let after = try await control.syncForwards(Self.issueForwards)
        #expect(after == before)
        try await session.channel.close()
        try await bob.session.channel.close()
        try await edge.stop()
    }

    @Test("a forward left out of the list is removed and its port released")
    func removedForwardIsReleased() async throws {
        let edge = try await EdgeFixture()
        let alice = try await Self.home("alice", on: edge)
        let first = try await alice.control.syncForwards(Self.issueForwards)
        let sshPort = try #require(Self.port(first[2]))

        let withoutSSH = try await alice.control.syncForwards(Array(Self.issueForwards.prefix(2)))
        #expect(withoutSSH == Array(first.prefix(2)))
        #expect(try await edge.registry.forwards(of: "alice").map(\.name) == ["app", "web"])

        // The released port is the lowest free one again, so a new forward gets it.
        let ssh2 = ForwardDeclaration(name: "ssh2", type: .tcp, target: "127.0.0.1:2222")
        let again = try await alice.control.syncForwards(declarations: Self.issueForwards.prefix(2).map(\.declaration) + [ssh2])
        #expect(Self.port(again[2]) == sshPort)
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("a hostname outside the home's domains is rejected with foreign_domain while the others are accepted")
    func foreignHostname() async throws {
        let edge = try await EdgeFixture()
        let alice = try await Self.home("alice", on: edge)
        let shop = HomeConfig.Forward(name: "shop", type: .https, hostname: try ForwardHostname("shop.other.org"),
                                      target: HomeConfig.Address(host: "127.0.0.1", port: 9443))
        let statuses = try await alice.control.syncForwards([Self.issueForwards[0], shop] + Self.issueForwards[1...])
        #expect(statuses.map(\.name) == ["web", "shop", "app", "ssh"])
        #expect(statuses[1].publicAddress == nil)
        #expect(statuses[1].error?.code == "foreign_domain")
        #expect(statuses[1].error?.message.contains("shop.other.org") == true)
        #expect([0, 2, 3].allSatisfy { statuses[$0].error == nil && statuses[$0].publicAddress != nil })
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("duplicate names, a hostname another home serves and an exhausted port range each get their code")
    func otherRejections() async throws {
        let edge = try await EdgeFixture(publicAddresses: EdgePublicAddresses(
            hostname: "edge.portico.test", tcpPortRange: 10_000...10_000))
        let alice = try await Self.home("alice", on: edge)
        let statuses = try await alice.control.syncForwards(declarations: [
            ForwardDeclaration(name: "a", type: .tcp),
            ForwardDeclaration(name: "a", type: .tcp),
            ForwardDeclaration(name: "b", type: .tcp),
            ForwardDeclaration(name: "c", type: .https),
            ForwardDeclaration(name: "d", type: .https, hostname: "web.example.com"),
            ForwardDeclaration(name: "e", type: .https, hostname: "web.example.com"),
        ])
        #expect(statuses.map { $0.error?.code } == [
            nil, "duplicate_forward", "port_range_exhausted", "invalid_forward", nil, "hostname_in_use",
        ])
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("one home's TCP forwards stop at its quota, so another home still gets ports; ports stay across reconnects")
    func portQuotaLeavesPortsForOtherHomes() async throws {
        // 15 ports: without a quota alice's 12 forwards would leave bob 3 of his 5.
        let edge = try await EdgeFixture(publicAddresses: EdgePublicAddresses(
            hostname: "edge.portico.test", tcpPortRange: 10_000...10_014))
        let alice = try await Self.home("alice", on: edge)
        let many = (1...12).map { ForwardDeclaration(name: "t\($0)", type: .tcp) } + [Self.issueForwards[0].declaration]
        let statuses = try await alice.control.syncForwards(declarations: many)
        #expect(statuses.map(\.name) == many.map(\.name))
        #expect(statuses.prefix(10).allSatisfy { $0.error == nil && Self.port($0) != nil })
        #expect(statuses[10...11].allSatisfy { $0.error?.code == "port_quota_exceeded" && $0.publicAddress == nil })
        let message = try #require(statuses[10].error?.message)
        #expect(message.contains("at most 10 public TCP ports") && message.contains("--tcp-ports"), "\(message)")
        #expect(statuses[12].error == nil && statuses[12].publicAddress != nil)

        let bob = try await Self.home("bob", domain: "example.net", on: edge)
        let bobs = try await bob.control.syncForwards(
            declarations: (1...5).map { ForwardDeclaration(name: "b\($0)", type: .tcp) })
        #expect(bobs.allSatisfy { $0.error == nil }, "\(bobs)")

        // alice reconnects: the same ten ports, the same two refusals.
        try await alice.session.channel.close()
        let (session, control) = try await edge.connectControl(alice.credentials)
        #expect(try await control.syncForwards(declarations: many) == statuses)
        try await session.channel.close()
        try await bob.session.channel.close()
        try await edge.stop()
    }

    @Test("the edge echoes a sync's request_id, also in a malformed answer, and leaves it out when the sync had none")
    func requestIDIsEchoed() async throws {
        let edge = try await EdgeFixture()
        let session = try await edge.connect(try await edge.enroll("alice"))
        var answers = try await ControlRecorder.attach(to: session).makeAsyncIterator()
        let bodies: [(sent: String, echoed: UInt32?)] = [
            (#"{"request_id": 77, "forwards": [{"name": "ssh", "type": "tcp"}]}"#, 77),
            (#"{"request_id": 4294967295, "forwards": "web"}"#, 4_294_967_295),
            (#"{"forwards": []}"#, nil),
            (#"{"request_id": -1, "forwards": []}"#, nil),
        ]
        for (sent, echoed) in bodies {
            try await session.sendControl(kind: ControlKind.forwardsSync.rawValue, body: ByteBuffer(string: sent)).get()
            let (kind, answer) = try #require(await answers.next())
            guard case .forwardsResult(let result)? = try ControlMessage.decode(kind: kind, body: answer) else {
                Issue.record("not a FORWARDS_RESULT: \(String(buffer: answer))")
                return
            }
            #expect(result.requestID == echoed, "\(sent) → \(String(buffer: answer))")
            #expect(String(buffer: answer).contains("request_id") == (echoed != nil))
        }
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("syncs sent at once are answered one at a time, each with its own result")
    func concurrentSyncs() async throws {
        let edge = try await EdgeFixture()
        let alice = try await Self.home("alice", on: edge)
        let control = alice.control
        async let all = control.syncForwards(Self.issueForwards)
        async let one = control.syncForwards(Array(Self.issueForwards.prefix(1)))
        let (allStatuses, oneStatus) = try await (all, one)
        #expect(allStatuses.map(\.name) == ["web", "app", "ssh"])
        #expect(oneStatus.map(\.name) == ["web"])
        try await alice.session.channel.close()
        try await edge.stop()
    }

    @Test("a malformed FORWARDS_SYNC gets an error answer, ENROLL_REQUEST is ignored, and the session stays up")
    func malformedSync() async throws {
        let edge = try await EdgeFixture()
        let session = try await edge.connect(try await edge.enroll("alice"))
        // The recorder goes before the client, which consumes the answers it routes.
        var answers = try await ControlRecorder.attach(to: session).makeAsyncIterator()
        let control = try await EdgeRequestClient.attach(to: session)
        _ = try await control.addDomain("example.com")
        _ = await answers.next()  // the DOMAIN_RESULT

        let enroll = EnrollRequest(tokenID: "00", secret: "AA", csr: "not a csr")
        try await session.send(.enrollRequest(enroll)).get()
        // (An unknown type *name* costs only its forward: ForwardTypeUnknownTests.)
        for body in [#"{"forwards": "web"}"#, "{", #"{"forwards": [{"name": "x", "type": 7}]}"#] {
            try await session.sendControl(kind: ControlKind.forwardsSync.rawValue, body: ByteBuffer(string: body)).get()
            let (kind, answer) = try #require(await answers.next())
            #expect(kind == .forwardsResult)
            guard case .forwardsResult(let result)? = try ControlMessage.decode(kind: kind, body: answer) else {
                Issue.record("not a FORWARDS_RESULT")
                return
            }
            #expect(result.forwards.isEmpty)
            #expect(String(buffer: answer).contains(#""code":"malformed""#), "\(body)")
        }
        // A well-formed sync on the same session still works.
        let statuses = try await control.syncForwards(Self.issueForwards)
        #expect(statuses.allSatisfy { $0.error == nil })
        #expect(session.channel.isActive)
        try await session.channel.close()
        try await edge.stop()
    }
}
