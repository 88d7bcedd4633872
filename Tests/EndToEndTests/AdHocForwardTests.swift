import Foundation
import Testing
import TestSupport

extension EndToEndSuite {
    /// `homeagent http PORT` / `homeagent tcp PORT`, ngrok style, with the
    /// real binaries: both when no agent runs (the command is the agent) and
    /// when `homeagent run` runs (the agent holds the forward for as long as
    /// the command's control connection lives). The public address answers
    /// while the command runs and stops answering when it ends, and the
    /// config file is never touched.
    @Suite("Ad-hoc forwards", .serialized)
    struct AdHocForwardTests {
        static let domain = "alice-home.com"

        /// A running `homeagent http|tcp …` and what it printed.
        private final class AdHocProcess: @unchecked Sendable {
            // @unchecked: the process is only started, signalled and reaped.
            let process: SpawnedProcess
            let output: String
            let error: String

            init(_ arguments: [String], in directory: URL) throws {
                output = directory.appendingPathComponent("adhoc-\(UUID().uuidString.prefix(8)).out").path
                error = output.replacingOccurrences(of: ".out", with: ".err")
                process = try SpawnedProcess(AgentRun.binary("homeagent"), arguments, output: output, error: error)
            }

            var printed: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }
            var logged: String { (try? String(contentsOfFile: error, encoding: .utf8)) ?? "" }

            /// The address after "Forwarding ", once printed.
            func publicAddress(timeout: Duration = .seconds(30)) async throws -> String {
                let deadline = ContinuousClock.now + timeout
                while ContinuousClock.now < deadline {
                    if let line = printed.split(separator: "\n").first(where: { $0.hasPrefix("Forwarding ") }),
                        let address = line.split(separator: " ").dropFirst().first
                    {
                        return String(address)
                    }
                    guard process.isRunning else { break }
                    try await Task.sleep(for: .milliseconds(50))
                }
                throw EdgeServerFailure("no public address printed; stdout: \(printed) stderr: \(logged.suffix(1500))")
            }
        }

        private static func port(of address: String) throws -> Int {
            guard let port = address.split(separator: ":").last.flatMap({ Int($0) }) else {
                throw EdgeServerFailure("no port in \(address)")
            }
            return port
        }

        @Test("no agent running: `homeagent tcp PORT` runs the session itself (with the config's forwards too), answers curl until Ctrl-C, then the address is gone and the config unchanged")
        func foregroundTCP() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let web = try await RecordingHTTPServer(name: "adhoc-tcp")
            let echo = try await EchoServer()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["raw", "--type", "tcp", "--target", "127.0.0.1:\(echo.port)"],
            ])
            let before = try Data(contentsOf: URL(fileURLWithPath: config))

            let adhoc = try AdHocProcess(["tcp", "127.0.0.1:\(web.port)", "--config", config], in: edge.directory)
            let address = try await adhoc.publicAddress()
            let port = try Self.port(of: address)
            #expect(edge.tcpPorts.contains(port))
            #expect(adhoc.printed.contains("→ 127.0.0.1:\(web.port)"))
            #expect(adhoc.printed.contains(
                "no homeagent was running for \(config): this command is its agent, serving the config's 1 other forward too"))
            let curl = ["-sS", "--max-time", "10", "http://127.0.0.1:\(port)/"]
            let answered = try await AgentRun.tool("/usr/bin/curl", curl)
            #expect(answered.status == 0 && answered.output == "adhoc-tcp", "\(answered.output)\(answered.error)")
            // The config's own forward is served by the same session, and `status` sees both.
            let status = try await AgentRun.run("homeagent", ["status", "--json", "--config", config])
            let document = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
            let forwards = document?["forwards"] as? [[String: Any]] ?? []
            #expect(forwards.map { $0["name"] as? String } == ["raw", "tcp-\(web.port)"], "\(status.output)")
            let raw = try Self.port(of: forwards.first?["public_address"] as? String ?? "")
            let body = PublicClient.payload(20_000, seed: 51)
            #expect(try await PublicClient.exchange(port: raw, sending: body) == body)

            adhoc.process.signal(SIGINT)
            await adhoc.process.waitForExit(timeout: .seconds(20))
            #expect(adhoc.process.terminationStatus == 0, "\(adhoc.logged.suffix(1500))")
            #expect(adhoc.printed.contains("stopped; the forward tcp-\(web.port) is gone from the edge"))
            let closed = try await eventually(timeout: .seconds(10)) { FreePorts.isFree(port) }
            #expect(closed, "the edge still listens on \(port) after the command ended")
            #expect(try await AgentRun.tool("/usr/bin/curl", curl).status != 0)
            #expect(try Data(contentsOf: URL(fileURLWithPath: config)) == before)

            _ = await edge.terminate()
            await web.close()
            await echo.close()
            edge.removeData()
        }

        @Test("no agent and no edge: Ctrl-C says nothing was published, not that the forward is gone from the edge")
        func foregroundWithoutAnEdge() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [])
            #expect(await edge.terminate() == 0)

            let adhoc = try AdHocProcess(["tcp", "9", "--config", config], in: edge.directory)
            // Once it has tried the edge and logged why it could not connect.
            let tried = try await eventually(timeout: .seconds(20)) { adhoc.logged.contains("connection refused") }
            #expect(tried, "stderr: \(adhoc.logged.suffix(1500))")
            adhoc.process.signal(SIGINT)
            // It may be inside a connect attempt (5 s) when the signal comes.
            await adhoc.process.waitForExit(timeout: .seconds(60))
            #expect(!adhoc.process.isRunning, "still running after SIGINT: \(adhoc.logged.suffix(1500))")
            #expect(adhoc.printed.contains("stopped before the edge placed the forward tcp-9: nothing was published"),
                    "stdout: \(adhoc.printed)")
            #expect(!adhoc.printed.contains("gone from the edge"))
            edge.removeData()
        }

        @Test("agent running: `homeagent http PORT --hostname` is added to it, answers curl, and is removed on Ctrl-C and when the command is killed; the config is unchanged; the command fails when the agent stops")
        func heldByTheRunningAgent() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let web = try await RecordingHTTPServer(name: "adhoc-web")
            let config = try await HomeEnrollment.enroll("alice", at: edge, domain: Self.domain)
            let before = try Data(contentsOf: URL(fileURLWithPath: config))
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()

            let hostname = "try.\(Self.domain)"
            let adhoc = try AdHocProcess(
                ["http", "\(web.port)", "--hostname", hostname, "--config", config], in: edge.directory)
            let address = try await adhoc.publicAddress()
            #expect(address.contains(hostname), "\(address)")
            #expect(adhoc.printed.contains("through the homeagent already running for \(config)"))
            let curl = [
                "-sS", "--max-time", "10", "--resolve", "\(hostname):\(edge.ports.http):127.0.0.1",
                "http://\(hostname):\(edge.ports.http)/hello",
            ]
            let answered = try await AgentRun.tool("/usr/bin/curl", curl)
            #expect(answered.status == 0 && answered.output == "adhoc-web", "\(answered.output)\(answered.error)")
            let forwards = try await agent.status().document?["forwards"] as? [[String: Any]] ?? []
            #expect(forwards.first { $0["name"] as? String == "http-\(web.port)" }?["temporary"] as? Bool == true)

            // Ctrl-C: the command gives the forward back and exits once the
            // agent confirmed, so the address is gone when it has exited.
            adhoc.process.signal(SIGINT)
            await adhoc.process.waitForExit(timeout: .seconds(20))
            #expect(adhoc.process.terminationStatus == 0, "\(adhoc.logged)")
            #expect(adhoc.printed.contains("stopped; \(address) no longer forwards to 127.0.0.1:\(web.port)"))
            let afterInterrupt = try await AgentRun.tool("/usr/bin/curl", curl + ["-o", "/dev/null", "-w", "%{http_code}"])
            #expect(afterInterrupt.output == "404", "\(afterInterrupt.output)")

            // Again, then killed with no chance to say goodbye: the agent sees its connection close.
            let again = try AdHocProcess(
                ["http", "\(web.port)", "--hostname", hostname, "--config", config], in: edge.directory)
            _ = try await again.publicAddress()
            #expect(try await AgentRun.tool("/usr/bin/curl", curl).output == "adhoc-web")
            await again.process.killAndWait()
            let gone = try await eventually(timeout: .seconds(15)) {
                let after = try await AgentRun.tool("/usr/bin/curl", curl + ["-o", "/dev/null", "-w", "%{http_code}"])
                return after.output == "404"
            }
            #expect(gone, "the address still answers after the command was killed")
            #expect(agent.log.contains("temporary forward removed"))
            let left = try await agent.status().document?["forwards"] as? [[String: Any]] ?? []
            #expect(left.isEmpty, "\(left)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: config)) == before)
            #expect(agent.isRunning)

            // The agent stops while a command holds a forward: the command says so and fails.
            let third = try AdHocProcess(
                ["http", "\(web.port)", "--hostname", hostname, "--config", config], in: edge.directory)
            _ = try await third.publicAddress()
            #expect(await agent.terminate() == 0)
            await third.process.waitForExit(timeout: .seconds(20))
            #expect(third.process.terminationStatus == 1)
            #expect(third.logged.contains("the homeagent running for \(config) stopped; the forward"), "\(third.logged)")

            _ = await edge.terminate()
            await web.close()
            edge.removeData()
        }

        @Test("a name a running `homeagent http --name` holds: expose refuses it before saving, a hand-edited config's reload is refused, and the temporary forward keeps answering")
        func exposeDoesNotTakeOverATemporaryForward() async throws {
            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let web = try await RecordingHTTPServer(name: "adhoc-web")
            let config = try await HomeEnrollment.enroll("alice", at: edge, domain: Self.domain)
            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            let hostname = "try.\(Self.domain)"
            let adhoc = try AdHocProcess(
                ["http", "\(web.port)", "--hostname", hostname, "--name", "site", "--config", config], in: edge.directory)
            _ = try await adhoc.publicAddress()
            let curl = [
                "-sS", "--max-time", "10", "--resolve", "\(hostname):\(edge.ports.http):127.0.0.1",
                "http://\(hostname):\(edge.ports.http)/",
            ]
            let held = #"the forward name "site" is held by a running `homeagent http --name site` (a temporary forward): "#
                + "stop that command first, or choose another name"

            let before = try Data(contentsOf: URL(fileURLWithPath: config))
            let expose = ["expose", "site", "--type", "http", "--hostname", "www.\(Self.domain)", "--target", "127.0.0.1:9"]
            let refused = try await AgentRun.run("homeagent", expose + ["--config", config])
            #expect(refused.status == 1)
            #expect(refused.error.contains(held), "\(refused.error)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: config)) == before)

            // The same forward written into the file by other means: the reload is refused, nothing changes.
            let edited = config + ".edited"
            try FileManager.default.copyItem(atPath: config, toPath: edited)
            #expect(try await AgentRun.run("homeagent", expose + ["--no-sync", "--config", edited]).status == 0)
            #expect(rename(edited, config) == 0)
            let sync = try await AgentRun.run("homeagent", ["sync", "--config", config])
            #expect(sync.status == 1)
            #expect(sync.error.contains("the running agent refused to reload: " + held), "\(sync.error)")
            let answered = try await AgentRun.tool("/usr/bin/curl", curl)
            #expect(answered.output == "adhoc-web", "\(answered.output)\(answered.error)")
            #expect(adhoc.process.isRunning && agent.isRunning)

            // Once the command ends, the file's forward takes the name.
            adhoc.process.signal(SIGINT)
            await adhoc.process.waitForExit(timeout: .seconds(20))
            let synced = try await AgentRun.run("homeagent", ["sync", "--config", config])
            #expect(synced.status == 0, "\(synced.error)")
            #expect(synced.output.contains("www.\(Self.domain)"), "\(synced.output)")

            _ = await agent.terminate()
            _ = await edge.terminate()
            await web.close()
            edge.removeData()
        }

        @Test("clear messages: a home that has not joined, http without --hostname, bad ports and names, a name the config or another command holds, and a --port the edge refuses (alone, and through the running agent, which keeps running)")
        func refusalsSayWhatToDo() async throws {
            let missing = FileManager.default.temporaryDirectory.appendingPathComponent("portico-none-\(UUID().uuidString)/homeagent.yaml").path
            let notJoined = try await AgentRun.run("homeagent", ["tcp", "22", "--config", missing])
            #expect(notJoined.status != 0)
            #expect(notJoined.error.contains("homeagent join TOKEN"), "\(notJoined.error)")

            let noHostname = try await AgentRun.run("homeagent", ["http", "8080", "--config", missing])
            #expect(noHostname.status != 0)
            #expect(noHostname.error.contains("--hostname is required: the edge routes http by Host"), "\(noHostname.error)")
            #expect(noHostname.error.contains("Usage: homeagent http"), "\(noHostname.error)")

            let badTarget = try await AgentRun.run("homeagent", ["tcp", "99999", "--config", missing])
            #expect(badTarget.error.contains(#""99999" is not a TCP port (1-65535)"#), "\(badTarget.error)")
            let badPort = try await AgentRun.run("homeagent", ["tcp", "22", "--port", "70000", "--config", missing])
            #expect(badPort.error.contains("--port 70000 is not a TCP port (1-65535)"), "\(badPort.error)")
            let badName = try await AgentRun.run("homeagent", ["tcp", "22", "--name", "Big", "--config", missing])
            #expect(badName.error.contains(#"--name: forward name "Big" must be 1-63 characters"#), "\(badName.error)")

            let edge = try EdgeServerProcess()
            try await edge.waitUntilReady()
            let config = try await HomeEnrollment.enroll("alice", at: edge, forwards: [
                ["web", "--type", "tcp", "--target", "127.0.0.1:8080"],
            ])
            let clash = try await AgentRun.run("homeagent", ["tcp", "22", "--name", "web", "--config", config])
            #expect(clash.status == 1)
            #expect(clash.error.contains(#"the config already has a forward named "web"; choose another name with --name"#),
                    "\(clash.error)")
            let outside = edge.tcpPorts.upperBound + 1
            let range = "\(edge.tcpPorts.lowerBound)-\(edge.tcpPorts.upperBound)"
            // No agent: the command's own session gets the refusal, says it, and stops.
            let alone = try await AgentRun.run("homeagent", ["tcp", "22", "--port", "\(outside)", "--config", config])
            #expect(alone.status == 1)
            #expect(alone.error.contains(
                "the edge refused the forward: Port \(outside) is outside the edge's TCP range \(range)"), "\(alone.error)")

            let agent = try HomeAgentProcess(config: config)
            try await agent.waitUntilHealthy()
            let refused = try await AgentRun.run("homeagent", ["tcp", "22", "--port", "\(outside)", "--config", config])
            #expect(refused.status == 1)
            #expect(refused.error.contains(
                "the edge refused the forward: Port \(outside) is outside the edge's TCP range \(range)"), "\(refused.error)")
            #expect(agent.isRunning)
            let forwards = try await agent.status().document?["forwards"] as? [[String: Any]] ?? []
            #expect(forwards.map { $0["name"] as? String } == ["web"], "the refused forward stayed: \(forwards)")

            // Two commands cannot hold forwards of one name.
            let first = try AdHocProcess(["tcp", "22", "--name", "shell", "--config", config], in: edge.directory)
            _ = try await first.publicAddress()
            let second = try await AgentRun.run("homeagent", ["tcp", "23", "--name", "shell", "--config", config])
            #expect(second.status == 1)
            #expect(second.error.contains(#"this home already has a forward named "shell" (in its config, or another"#),
                    "\(second.error)")
            first.process.signal(SIGINT)
            await first.process.waitForExit(timeout: .seconds(20))

            _ = await agent.terminate()
            _ = await edge.terminate()
            edge.removeData()
        }
    }
}
