import ArgumentParser
import Testing
@testable import EdgeAgent

/// `edgeagent home limit` and `home create` check limits before any request
/// is sent, with the same range and the same words as the API.
@Suite struct HomeLimitCommandTests {
    static let rejected: [(arguments: [String], mentions: String)] = [
        (["alice"], "Nothing to change: give --kbps, --download-kbps, --burst or --tcp-ports."),
        (["alice", "--kbps", "0"], "--kbps 0: a limit is 100 to 10000000 kbit/s, or none"),
        (["alice", "--kbps", "99"], "--kbps 99"),
        (["alice", "--kbps=-5"], "--kbps -5: a limit"),
        (["alice", "--kbps", "10000001"], "--kbps 10000001"),
        (["alice", "--kbps", "fast"], "fast"),
        (["alice", "--download-kbps", "99"], "--download-kbps 99"),
        (["alice", "--burst", "1"], "--burst 1: a burst is 16384 to 1073741824 bytes, or default"),
        (["alice", "--burst", "big"], "big"),
        (["alice", "--tcp-ports=-1"], "--tcp-ports -1: a quota is 0 to 65535 ports"),
        (["alice", "--tcp-ports", "65536"], "--tcp-ports 65536"),
    ]

    @Test(arguments: rejected)
    func badValuesAreRefusedWithTheRange(arguments: [String], mentions: String) {
        do {
            _ = try HomeCommand.Limit.parse(arguments)
            Issue.record("\(arguments) was accepted")
        } catch {
            let message = HomeCommand.Limit.message(for: error)
            #expect(message.contains(mentions), "\(message)")
        }
    }

    @Test func noneAndNumbersParse() throws {
        let limit = try HomeCommand.Limit.parse(["alice", "--kbps", "none", "--download-kbps", "100", "--burst", "default"])
        #expect(limit.kbps == .unlimited)
        #expect(limit.downloadKbps == .kbps(100))
        #expect(limit.burst == .automatic)
        let upper = try HomeCommand.Limit.parse(["alice", "--kbps", "10000000", "--burst", "16384"])
        #expect(upper.kbps == .kbps(10_000_000))
        #expect(upper.burst == .bytes(16_384))
        #expect(try HomeCommand.Limit.parse(["alice", "--kbps", "Unlimited"]).kbps == .unlimited)
        #expect(try HomeCommand.Limit.parse(["alice", "--tcp-ports", "0"]).tcpPorts == 0)
    }

    @Test func createChecksItsLimitsToo() throws {
        #expect(throws: (any Error).self) { try HomeCommand.Create.parse(["alice", "--kbps", "99"]) }
        let create = try HomeCommand.Create.parse(["alice", "--bandwidth-kbps", "500", "--download-kbps", "none"])
        #expect(create.kbps == .kbps(500))
        #expect(create.downloadKbps == .unlimited)
        #expect(try HomeCommand.Create.parse(["alice", "--tcp-ports", "20"]).tcpPorts == 20)
        #expect(throws: (any Error).self) { try HomeCommand.Create.parse(["alice", "--tcp-ports=-3"]) }
    }
}
