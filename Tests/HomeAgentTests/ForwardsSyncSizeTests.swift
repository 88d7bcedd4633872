import Foundation
import Testing
import TestSupport
import Wire
@testable import HomeAgent

/// A forward list too big for one FORWARDS_SYNC frame ([CONTROL-1]) is
/// refused where the config is loaded or edited, so the agent never sends a
/// frame the edge ends the session over (it did, ~125 times a second).
@Suite("forward lists that do not fit one FORWARDS_SYNC frame", .timeLimit(.minutes(1)))
struct ForwardsSyncSizeTests {
    /// 60-character names, as in the review's reproduction.
    static func name(_ index: Int) -> String {
        String(format: "f%03d-", index) + String(repeating: "x", count: 55)
    }

    /// The CONTROL payload of a sync of these tcp forwards, measured with
    /// Wire's encoder independently of the agent's helper.
    static func frameBytes(_ count: Int) -> Int {
        let declarations = (0..<count).map { ForwardDeclaration(name: name($0), type: .tcp, target: "127.0.0.1:22") }
        return 2 + ControlMessage.forwardsSync(ForwardsSync(requestID: .max, forwards: declarations)).encodedBody().readableBytes
    }

    /// The most of these forwards that still fit 65,536 bytes.
    static let mostThatFit: Int = {
        var count = 1
        while frameBytes(count + 1) <= 65_536 { count += 1 }
        return count
    }()

    /// 65536 as 65,536 (the numbers here have five or six digits).
    static func grouped(_ number: Int) -> String {
        "\(number / 1000),\(String(format: "%03d", number % 1000))"
    }

    static func yaml(forwards count: Int) -> String {
        ConfigFixture.header + "forwards:\n" + (0..<count).map {
            "  - name: \(name($0))\n    type: tcp\n    target: 127.0.0.1:22\n"
        }.joined()
    }

    @Test("the most forwards that fit load; one more is refused with the bytes needed and what to do")
    func limitIsTheFrame() throws {
        let fits = Self.mostThatFit
        #expect(fits > 400 && fits < 1000, "\(fits)")
        _ = try HomeConfig(yaml: Self.yaml(forwards: fits))
        let needed = Self.frameBytes(fits + 1)
        #expect(throws: HomeConfigError.invalid(location: "", problem:
            "the forwards need \(Self.grouped(needed)) bytes in FORWARDS_SYNC, "
                + "more than the 65,536 a frame may carry; use shorter names or fewer forwards"))
        {
            try HomeConfig(yaml: Self.yaml(forwards: fits + 1))
        }
    }

    @Test("run, sync and expose refuse a list that does not fit; expose leaves the file as it was")
    func commandsRefuse() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sync-size-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let config = directory.appendingPathComponent("homeagent.yaml").path
        func write(_ text: String) throws {
            try text.write(toFile: config, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config)
        }
        // expose checks that the key file is private before it reads the forwards.
        let key = directory.appendingPathComponent("home.key").path
        try "not a key".write(toFile: key, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let message = "more than the 65,536 a frame may carry; use shorter names or fewer forwards"

        try write(Self.yaml(forwards: Self.mostThatFit + 1))
        for command in [["run"], ["sync"]] {
            let run = try await AgentRun.run("homeagent", command + ["--config", config])
            #expect(run.status != 0)
            #expect(run.error.contains("bytes in FORWARDS_SYNC, " + message), "\(command): \(run.error)")
        }

        try write(Self.yaml(forwards: Self.mostThatFit))
        let before = try Data(contentsOf: URL(fileURLWithPath: config))
        let expose = try await AgentRun.run("homeagent", [
            "expose", Self.name(Self.mostThatFit), "--type", "tcp", "--target", "127.0.0.1:22", "--no-sync", "--config", config,
        ])
        #expect(expose.status != 0)
        #expect(expose.error.contains("the forwards need \(Self.grouped(Self.frameBytes(Self.mostThatFit + 1))) bytes"), "\(expose.error)")
        #expect(expose.error.contains(message), "\(expose.error)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: config)) == before)
    }
}
