import Foundation
import Testing
import Wire
@testable import HomeAgent

@Suite("homeagent run: backoff and status")
struct RunPartsTests {
    @Test("reconnect delays: full jitter under a ceiling that doubles from 0.5 s to 30 s, reset by a success")
    func backoff() {
        var backoff = ReconnectBackoff()
        #expect(backoff.next(unit: 1) == .milliseconds(500))
        #expect(backoff.next(unit: 1) == .seconds(1))
        #expect(backoff.next(unit: 0.5) == .seconds(1))
        #expect(backoff.next(unit: 0) == .zero)
        for _ in 0..<100 { _ = backoff.next(unit: 1) }
        #expect(backoff.next(unit: 1) == .seconds(30))
        #expect(backoff.next(unit: 7) == .seconds(30))  // draws outside [0, 1] are clamped
        backoff.reset()
        #expect(backoff.ceiling == .milliseconds(500))
        var random = ReconnectBackoff()
        for _ in 0..<1000 {
            let delay = random.next()
            #expect(delay >= .zero && delay <= .seconds(30))
        }
    }

    @Test("status keeps the edge's answer for unchanged forwards across a reload and drops removed ones")
    func statusAcrossReload() throws {
        var config = ConfigFixture.issueConfig
        var status = AgentStatus(config: config)
        status.apply([
            ForwardStatus(name: "web", publicAddress: "https://blog.example.com"),
            ForwardStatus(name: "app", publicAddress: "http://app.example.com"),
            ForwardStatus(name: "ssh", error: ControlError(code: "port_range_exhausted", message: "no free port")),
        ])
        config.forwards.removeLast()
        config.forwards[1].type = .https
        status.declare(config.forwards)
        #expect(status.forwards.map(\.name) == ["web", "app"])
        #expect(status.forwards[0].publicAddress == "https://blog.example.com")
        #expect(status.forwards[1].publicAddress == nil)  // its type changed: not placed yet
    }

    @Test("status text names the state, the RTT and each forward; healthy only when every forward is placed")
    func statusReport() throws {
        var status = AgentStatus(config: ConfigFixture.issueConfig)
        status.state = .connected
        status.rttMilliseconds = 1.25
        status.apply([
            ForwardStatus(name: "web", publicAddress: "https://blog.example.com"),
            ForwardStatus(name: "app", publicAddress: "http://app.example.com"),
            ForwardStatus(name: "ssh", error: ControlError(code: "port_range_exhausted", message: "no free port")),
        ])
        let report = AgentStatusReport(status: status)
        #expect(report.text == """
            home alice → edge edge.example.com:8444: connected, rtt 1.2 ms
              web  https  https://blog.example.com  → 127.0.0.1:8443
              app  http   http://app.example.com  → 127.0.0.1:8080
              ssh  tcp    error: no free port (port_range_exhausted)  → 127.0.0.1:22
            """)
        #expect(!report.healthy)
        let json = try JSONSerialization.jsonObject(with: Data(try report.json().utf8)) as? [String: Any]
        #expect(json?["state"] as? String == "connected")
        #expect((json?["forwards"] as? [[String: Any]])?.first?["public_address"] as? String == "https://blog.example.com")
    }

    @Test("target health: failures count up with the reason, a success resets them, a reload keeps it only for the same target; unreachable makes status unhealthy")
    func targetHealth() throws {
        var config = ConfigFixture.issueConfig
        let board = StatusBoard(AgentStatus(config: config))
        let t = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(board.record(.failed(reason: "connection refused"), forward: "ssh", target: "127.0.0.1:22", at: t))
        #expect(!board.record(.failed(reason: "timed out"), forward: "ssh", target: "127.0.0.1:22", at: t + 5))
        #expect(!board.record(.reached, forward: "ssh", target: "127.0.0.1:9999", at: t), "another target is not this forward's")
        var health = try #require(board.current.forwards[2].targetHealth)
        #expect(health.state == .unreachable && health.failures == 2 && health.reason == "timed out")
        #expect(health.lastFailure == t + 5 && health.lastSuccess == nil)

        board.update {
            $0.state = .connected
            $0.apply(config.forwards.map { ForwardStatus(name: $0.name, publicAddress: "x://\($0.name)") })
        }
        let down = AgentStatusReport(status: board.current)
        #expect(!down.healthy)
        #expect(down.text.contains(
            "→ 127.0.0.1:22 (not answering: timed out; 2 failures, last \((t + 5).formatted(.iso8601)))"), "\(down.text)")

        #expect(board.record(.reached, forward: "ssh", target: "127.0.0.1:22", at: t + 9))
        health = try #require(board.current.forwards[2].targetHealth)
        #expect(health.state == .reachable && health.failures == 0 && health.reason == nil && health.lastSuccess == t + 9)
        #expect(board.reachedRecently("ssh", since: t + 9) && !board.reachedRecently("ssh", since: t + 10))
        #expect(AgentStatusReport(status: board.current).healthy)
        #expect(AgentStatusReport(status: board.current).text.contains("→ 127.0.0.1:22 (answers)"))

        board.update { $0.declare(config.forwards) }
        #expect(board.current.forwards[2].targetHealth?.state == .reachable)
        config.forwards[2].target = ConfigFixture.address("127.0.0.1:2222")
        board.update { $0.declare(config.forwards) }
        #expect(board.current.forwards[2].targetHealth == nil, "a new target starts unknown")
    }

    @Test("the control socket sits next to the config, named after it")
    func socketPath() {
        #expect(AdminSocketCoding.socketPath(forConfig: "/etc/portico/homeagent.yaml") == "/etc/portico/homeagent.sock")
        #expect(AdminSocketCoding.socketPath(forConfig: "/tmp/x/other.yml") == "/tmp/x/other.sock")
    }
}
