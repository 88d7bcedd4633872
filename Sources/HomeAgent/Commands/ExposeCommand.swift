import AgentRuntime
import Foundation
import ArgumentParser
import Wire

/// `homeagent expose NAME …`: adds a forward to the config and, unless told
/// not to, syncs at once so the edge serves it now. Every check runs before
/// the file is written, so a refused command leaves the config as it was.
struct ExposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "expose",
        abstract: "Add a forward to the config and sync it to the edge.",
        discussion: """
            Examples:
              homeagent expose web --type https --hostname blog.example.com \\
                  --target 127.0.0.1:8443
              homeagent expose ssh --type tcp --target 127.0.0.1:22
              homeagent expose ssh --type tcp --target 127.0.0.1:22 --port 2222

            The config is rewritten atomically (mode 0600). Then, unless --no-sync, the \
            forwards are sent to the edge and their public addresses printed, as \
            `homeagent sync` does; exit status 1 if the edge rejected one (the forward \
            stays in the config). When `homeagent run` is running for this config, it \
            reloads the config and syncs on its own session instead; with --no-sync it \
            picks the change up on its next SIGHUP or sync.

            A tcp forward gets any free port of the edge's TCP range, kept across \
            reconnects and restarts; --port asks for one port instead (saved as `port:`). \
            The edge gives it if it is inside its range (edgeagent serve --tcp-ports), \
            within this home's TCP port quota and held by no other forward; otherwise \
            the forward is refused with the reason, and `homeagent status` shows it.
            """
    )

    @OptionGroup var options: HomeConfigOptions

    @Argument(help: "The forward's name: 1-63 of a-z, 0-9, - and _.")
    var name: String

    @Option(name: .long, help: "https (TLS passthrough by SNI), http (by Host) or tcp (a public port).")
    var type: ForwardType

    @Option(name: .long, help: "Public hostname for https and http, under one of this home's domains (may be *.example.com).")
    var hostname: String?

    @Option(name: .long, help: ArgumentHelp("The local service to forward to.", valueName: "host:port"))
    var target: String

    @Option(name: .long, help: ArgumentHelp(
        "For --type https: where ACME HTTP-01 challenges for the hostname go (your ACME client's HTTP responder).",
        valueName: "host:port"))
    var acmeTarget: String?

    @Option(name: .long, help: "Send a PROXY protocol header (v2) to the target.")
    var proxyProtocol: HomeConfig.ProxyProtocolVersion?

    @Option(name: .long, help: ArgumentHelp(
        "For --type tcp: the public port to ask the edge for, instead of any free one.", valueName: "port"))
    var port: Int?

    @Flag(name: .long, help: "Compress this forward's tunnel bytes with LZ4 (not for https).")
    var compress = false

    @Flag(name: .long, help: "Only edit the config; do not contact the edge.")
    var noSync = false

    @Flag(name: .long, help: "Print the sync result as JSON.")
    var json = false

    /// Flag-only checks, before the config is read; ArgumentParser shows
    /// this command's usage with the message.
    func validate() throws {
        _ = try forward()
    }

    func run() async throws {
        let config: HomeConfig
        do { config = try HomeConfigFile.load(path: options.config) } catch { throw EdgeConnectionError.config(error) }
        let edited = try ForwardEdit.adding(try forward(), to: config)
        try await refuseNameHeldByTemporaryForward()
        do { try HomeConfigFile.save(edited, to: options.config) } catch { throw EdgeConnectionError.config(error) }
        print("saved forward \"\(name)\" to \(options.config)")
        fflush(nil)  // stdout before any error of the sync, also when it is a pipe
        guard !noSync else { return }
        try await OneShotSync.run(config: edited, configPath: options.config, json: json)
    }

    /// A running agent serving a `homeagent http`/`tcp` of this name would
    /// refuse the reload; refusing before the save leaves the file as it was.
    private func refuseNameHeldByTemporaryForward() async throws {
        let socket = AdminSocketCoding.socketPath(forConfig: options.config)
        guard let reply = try? await AdminSocketClient.send(
            AdminRequest(command: .status), to: socket, group: AgentProcess.eventLoopGroup),
            let held = reply.status?.forwards.first(where: { $0.name == name && $0.temporary == true })
        else { return }
        throw RunningAgentError(message: HomeAgentRunner.heldByTemporary(name: held.name, type: held.type))
    }

    /// The forward the flags describe; errors name the flag to fix.
    private func forward() throws(ValidationError) -> HomeConfig.Forward {
        let address: HomeConfig.Address
        do { address = try HomeConfig.Address(parsing: target, field: "--target") } catch {
            throw ValidationError(error.message)
        }
        var publicName: ForwardHostname?
        switch (type.needsHostname, hostname) {
        case (true, nil): throw ValidationError("--hostname is required for --type \(type.rawValue)")
        case (false, .some):
            throw ValidationError("--hostname is not allowed for --type tcp (the edge allocates a public port; --port asks for one)")
        case (true, let hostname?):
            do { publicName = try ForwardHostname(hostname) } catch { throw ValidationError("--hostname: \(error)") }
        case (false, nil): break
        }
        if let port {
            guard type == .tcp else {
                throw ValidationError("--port is only for --type tcp (\(type.rawValue) forwards are reached by their --hostname)")
            }
            guard (1...65_535).contains(port) else { throw ValidationError("--port \(port) is not a TCP port (1-65535)") }
        }
        var acme: HomeConfig.Address?
        if let acmeTarget {
            do { acme = try HomeConfig.Address(parsing: acmeTarget, field: "--acme-target") } catch {
                throw ValidationError(error.message)
            }
        }
        let forward = HomeConfig.Forward(
            name: name, type: type, hostname: publicName, target: address, acmeTarget: acme,
            proxyProtocol: proxyProtocol, compress: compress ? true : nil, port: port)
        if let problem = forward.problem { throw ValidationError(problem) }
        return forward
    }
}
