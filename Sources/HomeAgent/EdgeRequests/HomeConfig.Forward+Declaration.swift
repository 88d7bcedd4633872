import Wire

extension HomeConfig.Forward {
    /// What the edge is told about this forward in FORWARDS_SYNC. The target
    /// goes along only as text for operators: the edge never dials it, it
    /// names the forward and the home looks the target up in its own config.
    var declaration: ForwardDeclaration {
        ForwardDeclaration(
            name: name, type: type, hostname: hostname?.text, proxyProtocol: proxyProtocol?.rawValue,
            compress: compress, target: target.description, port: port)
    }
}
