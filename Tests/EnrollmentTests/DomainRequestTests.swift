import TestSupport
import Foundation
import NIOCore
import Testing
import Wire
@testable import EdgeAgent
@testable import HomeAgent

/// Base domains claimed over a home's session (DOMAIN_REQUEST / DOMAIN_RESULT),
/// against a real edge with a real registry.
@Suite("Domain requests over the session", .timeLimit(.minutes(1)))
struct DomainRequestTests {
    @Test("a home claims example.com and gets its domain list back")
    func claim() async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        let result = try await control.addDomain("Example.COM")
        #expect(result.domains == ["example.com"])
        #expect(result.error == nil)
        #expect(try await edge.registry.domains(of: "alice").map(\.name) == ["example.com"])
        // Claiming it again changes nothing.
        #expect(try await control.addDomain("example.com").domains == ["example.com"])
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("list reports the home's domains and changes nothing, not even the audit log")
    func list() async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        #expect(try await control.listDomains().domains == [])
        _ = try await control.addDomain("example.com")
        _ = try await control.addDomain("example.org")
        let audit = try await edge.registry.auditLog()
        let listed = try await control.listDomains()
        #expect(listed.domains == ["example.com", "example.org"])
        #expect(listed.error == nil)
        #expect(try await edge.registry.auditLog() == audit)
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("com, co.uk and github.io are refused as public suffixes")
    func publicSuffixes() async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        for suffix in ["com", "co.uk", "github.io"] {
            let error = try await refusal { try await control.addDomain(suffix) }
            #expect(error.code == "public_suffix", "\(suffix)")
            // A single label is refused as a name ([CTRL-6]) before the list is consulted.
            let reason = suffix == "com" ? #""com" needs at least two labels"# : "'\(suffix)' is a public suffix"
            #expect(error.message.contains(reason), "\(suffix): \(error.message)")
        }
        #expect(try await edge.registry.domains(of: "alice").isEmpty)
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("a second home cannot claim a domain overlapping another home's, in either direction")
    func overlap() async throws {
        let edge = try await EdgeFixture()
        let (aliceSession, alice) = try await edge.connectControl(try await edge.enroll("alice"))
        let (bobSession, bob) = try await edge.connectControl(try await edge.enroll("bob"))
        _ = try await alice.addDomain("example.com")
        #expect(try await refusal { try await bob.addDomain("a.example.com") }.code == "overlap")
        #expect(try await refusal { try await bob.addDomain("example.com") }.code == "overlap")
        _ = try await bob.addDomain("shop.example.org")
        #expect(try await refusal { try await alice.addDomain("example.org") }.code == "overlap")
        #expect(try await edge.registry.domains(of: "alice").map(\.name) == ["example.com"])
        try await aliceSession.channel.close()
        try await bobSession.channel.close()
        try await edge.stop()
    }

    @Test("removing a domain is refused while a forward uses it, and allowed once the forward is gone")
    func removalWhileInUse() async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        _ = try await control.addDomain("example.com")
        let web = ForwardDeclaration(name: "web", type: .https, hostname: "blog.example.com", target: "127.0.0.1:8443")
        #expect(try await control.syncForwards(declarations: [web]).first?.error == nil)

        let error = try await refusal { try await control.removeDomain("example.com") }
        #expect(error.code == "domain_in_use")
        #expect(error.message.contains("web"))
        #expect(try await edge.registry.domains(of: "alice").map(\.name) == ["example.com"])

        _ = try await control.syncForwards(declarations: [])
        #expect(try await control.removeDomain("example.com").domains == [])
        #expect(try await refusal { try await control.removeDomain("example.com") }.code == "not_found")
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("a malformed DOMAIN_REQUEST is answered with its request id and an error; the session stays up")
    func malformed() async throws {
        let edge = try await EdgeFixture()
        let session = try await edge.connect(try await edge.enroll("alice"))
        var answers = try await ControlRecorder.attach(to: session).makeAsyncIterator()
        let control = try await EdgeRequestClient.attach(to: session)

        try await session.sendControl(
            kind: ControlKind.domainRequest.rawValue,
            body: ByteBuffer(string: #"{"request_id": 77, "action": "steal", "domain": "example.com"}"#)).get()
        let (kind, body) = try #require(await answers.next())
        #expect(kind == .domainResult)
        guard case .domainResult(let result)? = try ControlMessage.decode(kind: kind, body: body) else {
            Issue.record("not a DOMAIN_RESULT")
            return
        }
        #expect(result.requestID == 77)
        #expect(result.error?.code == "malformed")

        try await session.sendControl(kind: ControlKind.domainRequest.rawValue, body: ByteBuffer(string: "not json")).get()
        let (_, garbageBody) = try #require(await answers.next())
        guard case .domainResult(let garbage)? = try ControlMessage.decode(kind: .domainResult, body: garbageBody) else {
            Issue.record("not a DOMAIN_RESULT")
            return
        }
        #expect(garbage.requestID == 0)
        #expect(garbage.error?.code == "malformed")

        #expect(try await control.addDomain("example.com").domains == ["example.com"])
        try await session.channel.close()
        try await edge.stop()
    }

    @Test("an invalid domain name is refused with invalid_domain")
    func invalidName() async throws {
        let edge = try await EdgeFixture()
        let (session, control) = try await edge.connectControl(try await edge.enroll("alice"))
        #expect(try await refusal { try await control.addDomain("exa mple.com") }.code == "invalid_domain")
        #expect(try await refusal { try await control.addDomain("*.example.com") }.code == "invalid_domain")
        try await session.channel.close()
        try await edge.stop()
    }
}

/// The edge's refusal of `request`; records an issue if it did not refuse.
func refusal<T>(_ request: () async throws -> T) async throws -> ControlError {
    do {
        let value = try await request()
        Issue.record("expected a refusal, got \(value)")
        return ControlError(code: "", message: "")
    } catch {
        guard case .refused(let refusal)? = error as? EdgeRequestError else {
            Issue.record("expected a refusal, got \(error)")
            return ControlError(code: "", message: "")
        }
        return refusal
    }
}
