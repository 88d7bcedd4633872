import TestSupport
import Foundation
import Testing
import Wire
@testable import HomeAgent

/// The output format of `homeagent sync` on its own, without an edge.
@Suite("homeagent sync output")
struct HomeCLIReportTests {
    static let statuses = [
        ForwardStatus(name: "web", publicAddress: "https://blog.example.com"),
        ForwardStatus(name: "ssh-box", publicAddress: "edge.example.com:10003"),
        ForwardStatus(name: "app", error: ControlError(code: "foreign_domain", message: "'app.other.org' is not under any base domain of this home; claim its domain first.")),
    ]

    @Test("text lines pad names to one column and show the edge's error with its code")
    func text() {
        let report = ForwardStatusReport(home: "alice", statuses: Self.statuses)
        #expect(report.text == """
            web      https://blog.example.com
            ssh-box  edge.example.com:10003
            app      error: 'app.other.org' is not under any base domain of this home; claim its domain first. (foreign_domain)
            """)
        #expect(report.hasRejections)
        #expect(!ForwardStatusReport(home: "alice", statuses: Array(Self.statuses.prefix(2))).hasRejections)
    }

    @Test("JSON carries the home and FORWARDS_RESULT's field names, slashes unescaped")
    func json() throws {
        let json = try ForwardStatusReport(home: "alice", statuses: Self.statuses).json()
        #expect(json.contains("\"public_address\" : \"https://blog.example.com\""))
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(object?["home"] as? String == "alice")
        let forwards = object?["forwards"] as? [[String: Any]]
        #expect((forwards?[2]["error"] as? [String: String])?["code"] == "foreign_domain")
    }

    @Test("an empty forward list says how to add one")
    func empty() {
        #expect(ForwardStatusReport(home: "alice", statuses: []).text.contains("homeagent expose"))
    }
}
