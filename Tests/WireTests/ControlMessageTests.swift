import TestSupport
import NIOCore
import NIOPosix
import Testing
@testable import Wire

@Suite("CONTROL messages", .timeLimit(.minutes(1)))
struct ControlMessageTests {
    static let samples: [ControlMessage] = [
        .enrollRequest(EnrollRequest(tokenID: "00ff", secret: "c2VjcmV0", csr: "-----BEGIN CERTIFICATE REQUEST-----\n...")),
        .enrollResponse(EnrollResponse(home: "alice", certificate: "-----BEGIN CERTIFICATE-----\n...")),
        .enrollResponse(EnrollResponse(error: ControlError(code: "token_expired", message: "the join token expired"))),
        .forwardsSync(ForwardsSync(forwards: [
            ForwardDeclaration(name: "web", type: .https, hostname: "blog.example.com", target: "127.0.0.1:8443"),
            ForwardDeclaration(name: "ssh", type: .tcp, proxyProtocol: "v2", compress: true),
            ForwardDeclaration(name: "db", type: .tcp, target: "127.0.0.1:5432", port: 20_432),
        ])),
        .forwardsSync(ForwardsSync(requestID: 9, forwards: [])),
        .forwardsResult(ForwardsResult(requestID: 9, forwards: [], error: ControlError(code: "malformed", message: "bad"))),
        .forwardsResult(ForwardsResult(forwards: [
            ForwardStatus(name: "web", publicAddress: "https://blog.example.com"),
            ForwardStatus(name: "app", error: ControlError(code: "foreign_domain", message: "app.other.org is not under your domains")),
        ])),
        .domainRequest(DomainRequest(requestID: 7, action: .add, domain: "example.com")),
        .domainRequest(DomainRequest(requestID: 8, action: .list)),
        .domainResult(DomainResult(requestID: 7, domains: ["example.com"])),
        .renewRequest(RenewRequest(requestID: 11, csr: "-----BEGIN CERTIFICATE REQUEST-----\n...")),
        .renewResponse(RenewResponse(requestID: 11, certificate: "-----BEGIN CERTIFICATE-----\n...", caCertificate: "ca")),
        .renewResponse(RenewResponse(requestID: 12, error: ControlError(code: "renewal_too_soon", message: "wait"))),
    ]

    @Test("every message survives encoding and decoding", arguments: samples)
    func roundTrip(_ message: ControlMessage) throws {
        #expect(try ControlMessage.decode(kind: message.kind, body: message.encodedBody()) == message)
    }

    @Test("keys are snake_case and unknown keys are ignored")
    func wireFormat() throws {
        let body = String(buffer: ControlMessage.domainRequest(DomainRequest(requestID: 1, action: .remove, domain: "a.example")).encodedBody())
        #expect(body == #"{"action":"remove","domain":"a.example","request_id":1}"#)
        let extended = ByteBuffer(string: #"{"action":"add","domain":"b.example","request_id":2,"future_field":[1,2]}"#)
        #expect(try ControlMessage.decode(kind: .domainRequest, body: extended) == .domainRequest(DomainRequest(requestID: 2, action: .add, domain: "b.example")))
    }

    @Test("FORWARDS_SYNC and FORWARDS_RESULT carry request_id when there is one, and decode without it")
    func forwardsRequestID() throws {
        let sync = String(buffer: ControlMessage.forwardsSync(ForwardsSync(requestID: 5, forwards: [])).encodedBody())
        #expect(sync == #"{"forwards":[],"request_id":5}"#)
        let result = String(buffer: ControlMessage.forwardsResult(ForwardsResult(requestID: 5, forwards: [])).encodedBody())
        #expect(result == #"{"forwards":[],"request_id":5}"#)
        #expect(String(buffer: ControlMessage.forwardsResult(ForwardsResult(forwards: [])).encodedBody()) == #"{"forwards":[]}"#)
        let old = ByteBuffer(string: #"{"forwards":[]}"#)
        #expect(try ControlMessage.decode(kind: .forwardsResult, body: old) == .forwardsResult(ForwardsResult(forwards: [])))
        #expect(throws: ControlMessageError.self) {
            try ControlMessage.decode(kind: .forwardsSync, body: ByteBuffer(string: #"{"forwards":[],"request_id":-1}"#))
        }
    }

    @Test("a forward's port ([CTRL-7]) is sent as an integer only when asked for; absent means any, not a string")
    func forwardPort() throws {
        let sync = ForwardsSync(forwards: [
            ForwardDeclaration(name: "db", type: .tcp, port: 20_432), ForwardDeclaration(name: "any", type: .tcp),
        ])
        let body = String(buffer: ControlMessage.forwardsSync(sync).encodedBody())
        #expect(body == #"{"forwards":[{"name":"db","port":20432,"type":"tcp"},{"name":"any","type":"tcp"}]}"#)
        #expect(throws: ControlMessageError.self) {
            try ControlMessage.decode(kind: .forwardsSync, body: ByteBuffer(string: #"{"forwards":[{"name":"db","type":"tcp","port":"22"}]}"#))
        }
    }

    @Test("RENEW_REQUEST and RENEW_RESPONSE bodies are exactly the spec's keys ([CERT-2]), and a missing key is malformed")
    func renewBodies() throws {
        let request = String(buffer: ControlMessage.renewRequest(RenewRequest(requestID: 3, csr: "C")).encodedBody())
        #expect(request == #"{"csr":"C","request_id":3}"#)
        let issued = RenewResponse(requestID: 3, certificate: "P", caCertificate: "A")
        #expect(String(buffer: ControlMessage.renewResponse(issued).encodedBody())
            == #"{"ca_certificate":"A","certificate":"P","request_id":3}"#)
        let refused = RenewResponse(requestID: 4, error: ControlError(code: "csr_invalid", message: "m"))
        #expect(String(buffer: ControlMessage.renewResponse(refused).encodedBody())
            == #"{"error":{"code":"csr_invalid","message":"m"},"request_id":4}"#)
        #expect(ControlKind.renewRequest.rawValue == 0x0030 && ControlKind.renewResponse.rawValue == 0x0031)
        #expect("\(ControlKind.renewRequest)" == "RENEW_REQUEST" && "\(ControlKind.renewResponse)" == "RENEW_RESPONSE")
        for text in [#"{"csr":"C"}"#, #"{"request_id":1}"#, #"{"request_id":1,"csr":7}"#, #"{"request_id":-1,"csr":"C"}"#] {
            #expect(throws: ControlMessageError.self) {
                try ControlMessage.decode(kind: .renewRequest, body: ByteBuffer(string: text))
            }
        }
        #expect(throws: ControlMessageError.self) {
            try ControlMessage.decode(kind: .renewResponse, body: ByteBuffer(string: #"{"certificate":"P"}"#))
        }
    }

    @Test("list names no domain: none is sent, and one that is sent is ignored")
    func listRequest() throws {
        let body = String(buffer: ControlMessage.domainRequest(DomainRequest(requestID: 3, action: .list)).encodedBody())
        #expect(body == #"{"action":"list","request_id":3}"#)
        let withDomain = ByteBuffer(string: #"{"action":"list","domain":"","request_id":4}"#)
        #expect(try ControlMessage.decode(kind: .domainRequest, body: withDomain) == .domainRequest(DomainRequest(requestID: 4, action: .list)))
    }

    @Test("an unknown kind is ignored, not an error")
    func unknownKind() throws {
        #expect(try ControlMessage.decode(kind: ControlKind(rawValue: 0x7FFF), body: ByteBuffer(string: "whatever")) == nil)
    }

    @Test("malformed, truncated, mistyped and oversized bodies are typed errors",
          arguments: [
            #"{"#, #"[]"#, #"{"request_id":"seven","action":"add","domain":"x"}"#,
            #"{"request_id":1,"action":"grab","domain":"x"}"#, #"{"action":"add","domain":"x"}"#, "\u{0}\u{1}garbage",
            #"{"request_id":1,"action":"add"}"#, #"{"request_id":1,"action":"remove","domain":7}"#,
            #"{"request_id":1,"action":"list","domain":["x"]}"#,
          ])
    func malformed(_ text: String) {
        #expect(throws: ControlMessageError.self) {
            try ControlMessage.decode(kind: .domainRequest, body: ByteBuffer(string: text))
        }
    }

    @Test func oversizedBodyIsRefusedBeforeParsing() {
        let body = ByteBuffer(repeating: UInt8(ascii: " "), count: ControlMessage.maximumBodySize + 1)
        #expect(throws: ControlMessageError.tooLarge(kind: .forwardsSync, bytes: ControlMessage.maximumBodySize + 1)) {
            try ControlMessage.decode(kind: .forwardsSync, body: body)
        }
    }

    @Test("a message sent on a real session arrives as a CONTROL event on the other side")
    func overASession() async throws {
        let pair = try await SessionPair()
        let recorder = ControlRecorder()
        try await pair.listener.channel.pipeline.addHandler(recorder).get()
        let message = Self.samples[3]
        try await pair.dialer.send(message).get()
        #expect(try await eventually { recorder.messages.count == 1 })
        #expect(recorder.messages.first == message)
        try await pair.shutdown()
    }
}

/// Collects decoded CONTROL messages fired by a session handler.
final class ControlRecorder: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    private let storage = NIOLockedMessages()

    var messages: [ControlMessage] { storage.all }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case SessionEvent.control(let kind, let body) = event,
            let message = try? ControlMessage.decode(kind: ControlKind(rawValue: kind), body: body)
        {
            storage.append(message)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

import Synchronization

final class NIOLockedMessages: Sendable {
    private let list = Mutex<[ControlMessage]>([])
    func append(_ message: ControlMessage) { list.withLock { $0.append(message) } }
    var all: [ControlMessage] { list.withLock { $0 } }
}
