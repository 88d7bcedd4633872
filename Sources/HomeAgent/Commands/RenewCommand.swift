import AgentRuntime
import ArgumentParser
import Foundation
import Wire

/// `homeagent renew`: renews the home certificate now ([CERT-2]), through
/// the running agent's session when one runs (a second session would take
/// its place at the edge), else over a short session of its own.
struct RenewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "renew",
        abstract: "Renew this home's certificate now, for a new key generated here.",
        discussion: """
            `homeagent run` renews by itself once two thirds of the certificate's \
            lifetime have passed (365 days from join, so after about 243 days); this \
            is for operators who want it now. The new key and certificate replace the \
            old ones in the files the config names; a running agent keeps its session \
            and uses them from its next connection, and the edge accepts the old \
            certificate until then. The edge renews a home at most once an hour \
            (renewal_too_soon). Exit status 1 when the renewal failed; the old \
            certificate then stays in place and valid.
            """
    )

    @OptionGroup var options: HomeConfigOptions

    func run() async throws {
        let socket = AdminSocketCoding.socketPath(forConfig: options.config)
        if let reply = try? await AdminSocketClient.send(AdminRequest(command: .renew), to: socket, group: AgentProcess.eventLoopGroup) {
            guard reply.ok, let expires = reply.status?.certificateExpires else {
                throw RunningAgentError(message: reply.error ?? "the running agent gave no answer")
            }
            print("renewed: the certificate expires \(expires.formatted(.iso8601)); the running agent uses it from its next connection")
            return
        }
        let config: HomeConfig
        do { config = try HomeConfigFile.load(path: options.config) } catch { throw EdgeConnectionError.config(error) }
        try RenewedCredentialFiles.recover(paths: config.paths(relativeTo: options.config), home: config.home)
        let connection = try await EdgeConnection.open(config: config, configPath: options.config)
        let certificate: Certificate
        do {
            certificate = try await CertificateRenewal.renew(
                config: config, configPath: options.config, requests: connection.requests)
        } catch {
            await connection.close()
            throw error
        }
        await connection.close()
        print("renewed: the certificate expires \(certificate.notAfter.formatted(.iso8601))")
    }
}
