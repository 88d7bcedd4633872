import AgentRuntime
import ArgumentParser
import Wire

/// What `homeagent sync`, `expose` and `unexpose` share: declare the config's
/// forwards, print the edge's verdict, and fail the command if any forward was
/// rejected, so scripts notice. When an agent is running for the config, it
/// is asked to reload (its session does the sync); otherwise a short session
/// of our own does.
enum OneShotSync {
    static func run(config: HomeConfig, configPath: String, json: Bool) async throws {
        let socket = AdminSocketCoding.socketPath(forConfig: configPath)
        if let reply = try? await AdminSocketClient.send(AdminRequest(command: .reload), to: socket, group: AgentProcess.eventLoopGroup) {
            return try report(reply: await connectedReply(after: reply, socket: socket), home: config.home, json: json)
        }
        let connection = try await EdgeConnection.open(config: config, configPath: configPath)
        let statuses: [ForwardStatus]
        do {
            statuses = try await connection.requests.syncForwards(config.forwards)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        let report = ForwardStatusReport(home: config.home, statuses: statuses)
        print(json ? try report.json() : report.text)
        if report.hasRejections { throw ExitCode.failure }
    }

    /// A reload makes an agent that was waiting to reconnect (refused,
    /// backing off) dial at once; its answer comes before that session is up.
    /// Asks again for up to ``reconnectWait`` until it is connected.
    private static func connectedReply(after reply: AdminReply, socket: String) async -> AdminReply {
        guard reply.ok, let state = reply.status?.state, state != .connected else { return reply }
        var latest = reply
        let deadline = ContinuousClock.now + reconnectWait
        while ContinuousClock.now < deadline, latest.status?.state != .connected {
            try? await Task.sleep(for: .milliseconds(200))
            guard let next = try? await AdminSocketClient.send(
                AdminRequest(command: .status), to: socket, group: AgentProcess.eventLoopGroup), next.ok
            else { break }
            latest = next
        }
        return latest
    }

    static let reconnectWait: Duration = .seconds(6)

    private static func report(reply: AdminReply, home: String, json: Bool) throws {
        guard reply.ok, let status = reply.status else {
            throw RunningAgentError(message: "the running agent refused to reload: \(reply.error ?? "no reason given")")
        }
        guard status.state == .connected else {
            throw RunningAgentError(message: "the running agent reloaded the config but is not connected to the edge (\(status.lastError ?? status.state.rawValue)); it syncs when it reconnects")
        }
        let statuses = status.forwards.map { ForwardStatus(name: $0.name, publicAddress: $0.publicAddress, error: $0.error) }
        let report = ForwardStatusReport(home: home, statuses: statuses)
        print(json ? try report.json() : report.text)
        if report.hasRejections { throw ExitCode.failure }
    }
}
