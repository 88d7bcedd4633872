import AgentRuntime
import ArgumentParser
import Foundation
import NIOPosix
import Wire

/// `homeagent join TOKEN`: enrolls this home with the edge named in the token
/// and writes the config, key and certificates next to each other.
struct JoinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "join",
        abstract: "Join an edge with a join token (from `edgeagent home create`).",
        discussion: """
            Generates this home's private key locally (it never leaves this machine), \
            connects to the edge named in the token, checks the edge against the CA \
            pin in the token, and stores the certificate the edge issues. Writes the \
            config file (mode 0600) and, next to it, files named after it: for \
            --config dir/alice.yaml, dir/alice.key (0600), dir/alice.pem and \
            dir/alice.ca.pem. Several configs (one per edge or per home) can share a \
            directory; join refuses to overwrite credential files another config may \
            own.
            """
    )

    @Argument(help: "The join token, starting with \(JoinToken.prefix).")
    var token: String

    @Option(name: .long, help: "Config file to write.")
    var config: String = HomeAgentPaths.defaultConfigPath

    @Flag(name: .long, help: "Replace an existing config (its forwards are kept).")
    var force = false

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Dial the edge here instead of at the address in the token (another DNS name, a NAT). The edge is still checked against the token's CA pin; the config keeps this address.",
            valueName: "host:port"))
    var edge: String?

    /// Mistakes in the arguments, reported with this command's usage.
    func validate() throws {
        _ = try joinToken()
    }

    /// The token, dialled at --edge when given.
    private func joinToken() throws -> JoinToken {
        var parsed: JoinToken
        do {
            parsed = try JoinToken.parse(token)
        } catch {
            throw ValidationError("\(error)")
        }
        if let edge {
            do {
                let address = try HomeConfig.Address(parsing: edge, field: "--edge")
                parsed = try JoinToken(
                    host: address.host, port: UInt16(address.port), id: parsed.id, secret: parsed.secret, caPin: parsed.caPin)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        return parsed
    }

    func run() async throws {
        let parsed = try joinToken()
        let existing = try? HomeConfigFile.load(path: config)
        if let existing, !force {
            throw EnrollmentError.localFiles(
                "\(config) already joins edge \(existing.edge) as home \"\(existing.home)\"; use --force to replace it")
        }
        // Checked before enrolling, so a refusal does not spend the one-time token.
        if let conflict = HomeEnrollmentFiles.conflict(configPath: config, existing: existing) {
            throw EnrollmentError.localFiles(conflict)
        }
        if let problem = HomeEnrollmentFiles.unwritable(configPath: config) {
            throw EnrollmentError.localFiles(problem)
        }
        // ArgumentParser prints an error's description and exits with status 1.
        let result = try await EnrollmentClient().enroll(parsed, group: AgentProcess.eventLoopGroup)
        do {
            try HomeEnrollmentFiles.write(result, token: parsed, configPath: config, forwards: existing?.forwards ?? [])
        } catch {
            throw EnrollmentError.notSaved(home: result.homeName, reason: "\(error)")
        }
        // The commands to copy next, with --config when this is not the default one.
        let flag = config == HomeAgentPaths.defaultConfigPath ? "" : " --config \(config)"
        print("""
            Joined edge \(parsed.address) as home "\(result.homeName)".
            Config: \(config)
            Next:
              homeagent domain add example.com\(flag)      (a domain of yours, for https and http forwards)
              homeagent expose web --type https --hostname www.example.com --target 127.0.0.1:8443\(flag)
              homeagent expose ssh --type tcp --target 127.0.0.1:22\(flag)
              homeagent run\(flag)
            """)
    }
}
