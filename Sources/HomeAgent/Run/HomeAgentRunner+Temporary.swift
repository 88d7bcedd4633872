import Wire

extension HomeConfig {
    /// This config with `temporary` forwards after the file's own.
    func adding(temporary: [Forward]) -> HomeConfig {
        var config = self
        config.forwards += temporary
        return config
    }
}

/// Temporary forwards: what `homeagent http` / `tcp` ask a running agent
/// for over its control socket. Each lives as long as the control connection
/// that asked for it (`AdminSocketHandler` removes it when that closes), is
/// synced like the config's forwards, and never reaches the config file.
extension HomeAgentRunner {
    /// Adds `forward` and syncs it on the live session; returns its state
    /// once the edge placed it. A forward the edge refused is removed again
    /// and the refusal returned, so nothing half-added stays behind.
    func addTemporary(_ forward: HomeConfig.Forward) async -> Result<AgentStatus.ForwardState, RunningAgentError> {
        if live.current.forward(named: forward.name) != nil {
            return .failure(RunningAgentError(message:
                "this home already has a forward named \"\(forward.name)\" (in its config, or another "
                    + "`homeagent http`/`tcp` that is running); choose another name with --name"))
        }
        if let problem = forward.problem { return .failure(RunningAgentError(message: problem)) }
        if let problem = HomeConfig.syncSizeProblem(live.current.forwards + [forward]) {
            return .failure(RunningAgentError(message: problem))
        }
        guard let connection = currentConnection else {
            let status = board.current
            let why = status.lastError ?? status.state.rawValue
            return .failure(RunningAgentError(message:
                "the running homeagent is not connected to the edge right now (\(why)); "
                    + "try again once `homeagent status` says connected"))
        }
        replaceTemporary(with: temporary + [forward])
        await syncForwards(on: connection)
        let state = board.current.forwards.first { $0.name == forward.name }
        if let state, state.error == nil, state.publicAddress != nil {
            logger.info("temporary forward added", metadata: [
                "forward": "\(forward.name)", "public": "\(state.publicAddress ?? "-")", "target": "\(forward.target)",
            ])
            return .success(state)
        }
        await removeTemporary(named: forward.name)
        if let error = state?.error {
            return .failure(RunningAgentError(message: "the edge refused the forward: \(error.message) (\(error.code))"))
        }
        return .failure(RunningAgentError(message:
            "the edge did not place the forward: \(board.current.lastError ?? "no public address came back")"))
    }

    /// Removes the temporary forward called `name`, if there is one, and
    /// syncs so that the edge stops routing it at once.
    func removeTemporary(named name: String) async {
        guard temporary.contains(where: { $0.name == name }) else { return }
        replaceTemporary(with: temporary.filter { $0.name != name })
        if let connection = currentConnection { await syncForwards(on: connection) }
        logger.info("temporary forward removed", metadata: ["forward": "\(name)"])
    }
}
