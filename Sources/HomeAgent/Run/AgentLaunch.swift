import AgentRuntime
import Wire

/// What every way of starting the agent does first, `homeagent run` and the
/// foreground session of `homeagent http` / `tcp` alike: the one-agent-per-
/// home lock, the recovery of an interrupted renewal, and the credentials
/// checked, so both refuse the same things with the same messages.
struct AgentLaunch: Sendable {
    let config: HomeConfig
    /// Held for as long as the agent runs; the kernel releases it at exit.
    let lock: ProcessLock
    /// What the recovery of an interrupted renewal did, for the log.
    let recovered: String?

    /// The config at `path`; one that is missing says to join first.
    static func loadConfig(path: String) throws -> HomeConfig {
        do { return try HomeConfigFile.load(path: path) } catch { throw EdgeConnectionError.config(error) }
    }

    static func prepare(config: HomeConfig, configPath: String) throws -> AgentLaunch {
        // One descriptor per target connection: 1,024 would cap the home early.
        OpenFileLimit.raiseToHardLimit()
        let paths = config.paths(relativeTo: configPath)
        // One agent per identity, whatever config names it: two would take
        // the home's session over from each other forever. Taken before the
        // renewal recovery below writes anything.
        let lock = try ProcessLock.acquire(
            paths.key + ".lock", what: "the identity of home \(config.home) (\(paths.key))",
            advice: "stop that homeagent first; one agent runs per home")
        // A renewal a crash interrupted is finished (or discarded) first, so
        // the pair loaded next is whole ([CERT-2]).
        let recovered = try RenewedCredentialFiles.recover(paths: paths, home: config.home)
        // Refused at start, not retried: key, certificate and CA that are
        // missing, damaged or another home's will not fix themselves.
        _ = try HomeCredentials.load(for: config, configPath: configPath)
        return AgentLaunch(config: config, lock: lock, recovered: recovered)
    }
}
