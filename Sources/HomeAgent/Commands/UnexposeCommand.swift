import Foundation
import ArgumentParser

/// `homeagent unexpose NAME`: removes a forward from the config and, unless
/// told not to, syncs so the edge releases its hostname or TCP port at once.
struct UnexposeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unexpose",
        abstract: "Remove a forward from the config and sync the change to the edge.",
        discussion: """
            The config is rewritten atomically (mode 0600). Then, unless --no-sync, the \
            remaining forwards are sent to the edge, which releases the removed one, \
            and their addresses are printed as `homeagent sync` does. When `homeagent \
            run` is running for this config, it reloads the config and syncs on its own \
            session instead; with --no-sync it picks the change up on its next SIGHUP or sync.
            """
    )

    @OptionGroup var options: HomeConfigOptions

    @Argument(help: "The forward to remove.")
    var name: String

    @Flag(name: .long, help: "Only edit the config; do not contact the edge.")
    var noSync = false

    @Flag(name: .long, help: "Print the sync result as JSON.")
    var json = false

    func run() async throws {
        let config: HomeConfig
        do { config = try HomeConfigFile.load(path: options.config) } catch { throw EdgeConnectionError.config(error) }
        let edited = try ForwardEdit.removing(name, from: config)
        do { try HomeConfigFile.save(edited, to: options.config) } catch { throw EdgeConnectionError.config(error) }
        print("removed forward \"\(name)\" from \(options.config)")
        fflush(nil)  // stdout before any error of the sync, also when it is a pipe
        guard !noSync else { return }
        try await OneShotSync.run(config: edited, configPath: options.config, json: json)
    }
}
