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

    @Test("the control socket sits next to the config, named after it")
    func socketPath() {
        #expect(AdminSocketCoding.socketPath(forConfig: "/etc/portico/homeagent.yaml") == "/etc/portico/homeagent.sock")
        #expect(AdminSocketCoding.socketPath(forConfig: "/tmp/x/other.yml") == "/tmp/x/other.sock")
    }
}
