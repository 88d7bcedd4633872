import AgentRuntime
import ArgumentParser
import Foundation
import NIOCore

/// `homeagent status`: asks the running agent how it is doing.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running agent's session, round trip and forwards.",
        discussion: """
            Asks the `homeagent run` serving this config, through its control socket. \
            Shows the session state, the measured round trip to the edge, and each \
            forward with its public address or the edge's error, and whether its target \
            answers: every connection the edge sends is a real check, and a target that \
            carried none lately is checked every target_check_seconds (config, default \
            30; a TCP connect closed at once). A target that does not answer shows why, \
            how many attempts failed in a row and when the last one did. Exit status 1 \
            when no agent is running, 2 when it is running but not connected, a forward \
            was rejected, or a target does not answer.
            """
    )

    @OptionGroup var options: HomeConfigOptions

    @Flag(name: .long, help: "Print the status as JSON.")
    var json = false

    func run() async throws {
        let path = AdminSocketCoding.socketPath(forConfig: options.config)
        let reply: AdminReply
        do {
            reply = try await AdminSocketClient.send(AdminRequest(command: .status), to: path, group: AgentProcess.eventLoopGroup)
        } catch {
            throw RunningAgentError(message: Self.noAnswer(config: options.config, socket: path, error: error))
        }
        guard let status = reply.status else {
            throw RunningAgentError(message: "the agent answered without a status: \(reply.error ?? "no reason given")")
        }
        let report = AgentStatusReport(status: status)
        print(json ? try report.json() : report.text)
        if !report.healthy { throw ExitCode(2) }
    }

    /// Why no agent answered, with the command that helps: join first when
    /// there is no config, the agent's own user when the socket is not ours.
    static func noAnswer(config: String, socket: String, error: any Error) -> String {
        let flag = config == HomeAgentPaths.defaultConfigPath ? "" : " --config \(config)"
        let asAgentUser = "the agent runs as another user; run this as that user "
            + "(for the packaged service: sudo -u portico homeagent status\(flag))"
        var info = stat()
        if stat(config, &info) != 0 {
            if errno == ENOENT {
                return "no config at \(config): this home has not joined an edge yet; run `homeagent join TOKEN\(flag)` first"
            }
            if errno == EACCES { return "permission denied on \(config): \(asAgentUser)" }
        }
        if let error = error as? IOError, error.errnoCode == EACCES {
            return "permission denied on \(socket): \(asAgentUser)"
        }
        return "no homeagent is running for \(config) (nothing answers on \(socket)); start it with `homeagent run\(flag)`"
    }
}
