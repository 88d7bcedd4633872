import AgentRuntime
import Foundation
import Logging
import NIOCore
import NIOPosix
import Wire

/// `homeagent run`'s control flow: keeps one session to the edge up for as
/// long as the agent runs, syncs the forwards each time it comes up, reloads
/// the config on request, and drains on shutdown. The data path (streams to
/// targets) lives in `ForwardDialer` on the event loops.
actor HomeAgentRunner {
    let configPath: String
    let live: LiveConfig
    let board: StatusBoard
    let logger: Logger
    private let sessionConfiguration: SessionConfiguration
    private let group: any EventLoopGroup
    private var connection: EdgeConnection?
    private var draining = false
    /// Wakes the reconnect loop early (drain, or a reload that changed the edge).
    private var wake: CheckedContinuation<Void, Never>?
    private var sleepNumber = 0
    private var renewing = false
    /// The config as loaded from the file; `live` is this plus `temporary`.
    private(set) var fileConfig: HomeConfig
    /// Forwards `homeagent http` / `tcp` added for as long as they run:
    /// served and synced like the file's, never saved to it.
    private(set) var temporary: [HomeConfig.Forward]

    /// The live session, if connected.
    var currentConnection: EdgeConnection? { connection }

    /// Claims the one renewal slot; false while another renewal runs.
    func beginRenewal() -> Bool {
        guard !renewing else { return false }
        renewing = true
        return true
    }

    func endRenewal() {
        renewing = false
    }

    init(
        config: HomeConfig, configPath: String, temporary: [HomeConfig.Forward] = [],
        sessionConfiguration: SessionConfiguration = SessionConfiguration(), group: any EventLoopGroup, logger: Logger
    ) {
        self.configPath = configPath
        self.fileConfig = config
        self.temporary = temporary
        self.live = LiveConfig(config.adding(temporary: temporary))
        var status = AgentStatus(config: config)
        status.declare(config.forwards, temporary: temporary)
        self.board = StatusBoard(status)
        self.sessionConfiguration = sessionConfiguration
        self.group = group
        self.logger = logger
    }

    /// Connects, serves and reconnects until `drain` is called.
    func run() async {
        var backoff = ReconnectBackoff()
        // The edge turning the home away will not change by itself (the
        // operator deleted or disabled it): retry rarely, not every 30 s
        // forever; a reload (SIGHUP, or `homeagent sync` after a new join)
        // tries again at once.
        var refusals = ReconnectBackoff(initial: .seconds(60), maximum: .seconds(3600), floor: 0.5)
        // Replaced by a newer session of this home, again and again: two
        // agents share its identity and would take the session from each
        // other in a tight loop ([ERR-5]); each replacement in a row waits
        // longer, and a session that lasts the longest wait resets it.
        var replacements = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(300), floor: 0.5)
        // Ended by the edge with an error code (FRAME_SIZE_ERROR,
        // PROTOCOL_ERROR, ...): whatever this agent sent would be sent again
        // on the next session ([ERR-6]), so the same growing wait applies.
        var faults = ReconnectBackoff(initial: .seconds(1), maximum: .seconds(300), floor: 0.5)
        let dialer = ForwardDialer(config: live, board: board, logger: logger)
        while !draining {
            board.update { $0.state = .connecting; $0.retryAt = nil }
            let watcher = SessionWatcher(board: board)
            do {
                let config = live.current
                var configuration = sessionConfiguration
                if let streams = config.maxStreams { configuration.maxConcurrentStreams = streams }
                let opened = try await EdgeConnection.open(
                    config: config, configPath: configPath, group: group, configuration: configuration,
                    logger: logger, streams: { dialer.initialize($0) }, handlers: { [watcher] })
                guard !draining else {
                    await opened.close()
                    break
                }
                connection = opened
                backoff.reset()
                refusals.reset()
                board.update { $0.state = .connected; $0.connectedSince = Date(); $0.lastError = nil }
                logger.info("connected to edge", metadata: ["edge": "\(live.current.edge)"])
                let connectedAt = ContinuousClock.now
                await syncForwards(on: opened)
                try? await opened.session.channel.closeFuture.get()
                connection = nil
                board.update { $0.connectedSince = nil; $0.rttMilliseconds = nil; $0.edgeGoingAway = nil }
                if draining { break }
                if ContinuousClock.now - connectedAt >= replacements.maximum { replacements.reset() }
                if ContinuousClock.now - connectedAt >= faults.maximum { faults.reset() }
                if let goAway = watcher.goAway, goAway.code != .noError {
                    // [ERR-5], [ERR-6]: reconnecting at once would repeat what
                    // ended the session, as fast as the edge can refuse it.
                    let delay: Duration
                    let message: String
                    if goAway.code == .sessionReplaced {
                        delay = replacements.next()
                        message = "the edge gave this home's session to a newer one: is another agent running with "
                            + "this home's key (\(config.paths(relativeTo: configPath).key), or a copy of it)?"
                    } else {
                        delay = faults.next()
                        message = "the edge ended the session with an error (\(goAway.reason))"
                    }
                    logger.error("\(message) Waiting before reconnecting.", metadata: [
                        "retry_in_seconds": .stringConvertible(Int(delay.seconds)),
                    ])
                    board.update {
                        $0.state = .waiting
                        $0.lastError = message
                        $0.retryAt = Date().addingTimeInterval(delay.seconds)
                    }
                    await sleep(delay)
                    continue
                }
                if let goAway = watcher.goAway {
                    logger.info("edge is going away; reconnecting", metadata: ["reason": "\(goAway.reason)"])
                    board.update { $0.lastError = "edge sent GOAWAY (\(goAway.reason))" }
                    continue
                }
                logger.warning("session to edge lost")
                board.update { $0.lastError = "session to edge lost" }
            } catch EdgeConnectionError.homeNotAccepted(let home, let address, let detail) {
                let error = EdgeConnectionError.homeNotAccepted(home: home, address: address, detail: detail)
                let delay = refusals.next()
                logger.error("the edge refused this home; trying again rarely", metadata: [
                    "reason": "\(error)", "retry_in_seconds": .stringConvertible(Int(delay.seconds)),
                ])
                board.update {
                    $0.state = .refused
                    $0.lastError = error.description
                    $0.retryAt = Date().addingTimeInterval(delay.seconds)
                    $0.forgetPlacements()
                }
                await sleep(delay)
                continue
            } catch {
                logger.warning("could not connect to edge", metadata: ["reason": .reason(error)])
                board.update { $0.lastError = NetworkErrorText.describe(error) }
            }
            let delay = backoff.next()
            board.update { $0.state = .waiting; $0.retryAt = Date().addingTimeInterval(delay.seconds) }
            await sleep(delay)
        }
    }

    /// Re-reads the config file. A config that does not load is refused and
    /// the running one kept; a new edge or identity reconnects; otherwise the
    /// forwards are synced on the live session. Returns the resulting status.
    func reload() async -> Result<AgentStatus, RunningAgentError> {
        let config: HomeConfig
        do {
            config = try HomeConfigFile.load(path: configPath)
            // As at start: a config whose key, certificate or CA cannot be
            // used (another home's certificate, say) would cost the session.
            _ = try HomeCredentials.load(for: config, configPath: configPath)
        } catch {
            return refuseReload("\(error)")
        }
        // A temporary forward keeps its name for as long as its command runs:
        // the file taking it over would leave that command printing an
        // address the edge no longer routes to it.
        if let held = temporary.first(where: { config.forward(named: $0.name) != nil }) {
            return refuseReload(Self.heldByTemporary(name: held.name, type: held.type.rawValue))
        }
        if let problem = HomeConfig.syncSizeProblem(config.adding(temporary: temporary).forwards) {
            return refuseReload(problem + " (counting the temporary forwards of running `homeagent http`/`tcp` commands)")
        }
        let previous = live.current
        fileConfig = config
        live.replace(with: config.adding(temporary: temporary))
        board.update {
            $0.configError = nil
            $0.declare(config.forwards, temporary: temporary)
            $0.home = config.home
            $0.edge = config.edge.description
        }
        logger.info("config reloaded", metadata: ["forwards": .stringConvertible(config.forwards.count)])
        if previous.edge != config.edge || previous.home != config.home || previous.certificate != config.certificate
            || previous.key != config.key || previous.ca != config.ca
        {
            await connection?.close()
        } else if let connection {
            await syncForwards(on: connection)
        }
        // Refused or waiting: the reload may be the fix (a new join, another
        // edge), so the next attempt is now.
        if connection == nil { wakeUp(sleepNumber) }
        return .success(board.current)
    }

    /// Logs and shows why a reload was refused; the running config stays.
    private func refuseReload(_ message: String) -> Result<AgentStatus, RunningAgentError> {
        logger.error("reload refused; keeping the running config", metadata: ["reason": "\(message)"])
        board.update { $0.configError = message }
        return .failure(RunningAgentError(message: message))
    }

    /// Why the config may not name a temporary forward's name while its
    /// command (`homeagent TYPE`) runs.
    static func heldByTemporary(name: String, type: String) -> String {
        "the forward name \"\(name)\" is held by a running `homeagent \(type) --name \(name)` "
            + "(a temporary forward): stop that command first, or choose another name"
    }

    /// Replaces the temporary forwards (served from now on); the caller syncs.
    func replaceTemporary(with forwards: [HomeConfig.Forward]) {
        temporary = forwards
        let file = fileConfig
        live.replace(with: file.adding(temporary: forwards))
        board.update { $0.declare(file.forwards, temporary: forwards) }
    }

    /// Claims, releases or lists base domains over the live session.
    func domain(_ action: DomainRequest.Action, _ name: String) async throws -> DomainResult {
        guard let connection else { throw RunningAgentError(message: "not connected to the edge right now") }
        let result: DomainResult
        switch action {
        case .add: result = try await connection.requests.addDomain(name)
        case .remove: result = try await connection.requests.removeDomain(name)
        case .list: return try await connection.requests.listDomains()
        }
        // Forwards that waited for this domain are placed now (and those
        // under a released one are withdrawn), not at the next sync.
        await syncForwards(on: connection)
        return result
    }

    /// Closes the session now, a drain cut short: its streams end with it.
    func endSession() {
        connection?.session.channel.close(promise: nil)
    }

    /// Stops reconnecting and drains the session: GOAWAY, streams in flight
    /// get `timeout` to finish, then the connection closes.
    func drain(timeout: Duration) async {
        draining = true
        board.update { $0.state = .draining }
        wake?.resume()
        wake = nil
        guard let connection else { return }
        // Temporary forwards end with the agent: the edge stops routing them
        // now rather than keep addresses nobody will serve.
        if !temporary.isEmpty {
            replaceTemporary(with: [])
            await syncForwards(on: connection)
        }
        logger.info("draining", metadata: ["timeout": "\(timeout)"])
        let nanoseconds = Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000
        _ = try? await connection.session.goAway(debug: "home shutting down", timeout: .nanoseconds(nanoseconds)).get()
    }

    func syncForwards(on connection: EdgeConnection) async {
        let forwards = live.current.forwards
        do {
            let statuses = try await connection.requests.syncForwards(forwards)
            board.update { $0.apply(statuses) }
            for status in statuses {
                if let error = status.error {
                    logger.error("edge rejected forward", metadata: ["forward": "\(status.name)", "reason": "\(error.message)"])
                } else {
                    logger.info("forward ready", metadata: ["forward": "\(status.name)", "public": "\(status.publicAddress ?? "-")"])
                }
            }
        } catch {
            logger.error("forward sync failed", metadata: ["reason": .reason(error)])
            board.update { $0.lastError = "forward sync failed: \(NetworkErrorText.describe(error))" }
        }
    }

    /// Waits `delay`, or less if `drain` wakes the loop first.
    private func sleep(_ delay: Duration) async {
        sleepNumber += 1
        let number = sleepNumber
        await withCheckedContinuation { continuation in
            wake = continuation
            Task { [weak self] in
                try? await Task.sleep(for: delay)
                await self?.wakeUp(number)
            }
        }
    }

    /// Ends sleep `number` if it is still the one in progress.
    private func wakeUp(_ number: Int) {
        guard number == sleepNumber else { return }
        wake?.resume()
        wake = nil
    }
}

/// Why a reload or a request through the running agent failed.
struct RunningAgentError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
