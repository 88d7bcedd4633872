import GRDB
import Wire

extension ForwardSync {
    /// What the edge makes of one declaration: where it is reached, or why not.
    /// A rejected hostname is still kept (when it is a valid name) so status
    /// views can show what was asked for.
    struct Decision {
        var hostname: String?
        var port: Int?
        var error: RegistryError?
    }

    /// Checks one declaration against the home's domains and everything
    /// already routed; allocates or keeps a TCP port. Throws only storage errors.
    func decide(_ declaration: ForwardDeclaration, previous: Forward?, baseDomains: [String]) throws -> Decision {
        if let target = declaration.target, target.utf8.count > Self.maximumTargetLength {
            return Decision(error: .invalidForward(
                "The target of '\(declaration.name)' is longer than \(Self.maximumTargetLength) bytes."))
        }
        if let version = declaration.proxyProtocol, version != "v2" {
            return Decision(error: .invalidForward(
                "PROXY protocol '\(version.prefix(16))' is not supported for '\(declaration.name)'; use v2."))
        }
        switch declaration.type {
        case .http, .https:
            return try decideHostname(declaration, baseDomains: baseDomains)
        case .tcp:
            guard declaration.hostname == nil else {
                return Decision(error: .invalidForward(
                    "The tcp forward '\(declaration.name)' is reached by a port; remove its hostname."))
            }
            return try decidePort(previous: previous)
        }
    }

    private func decideHostname(_ declaration: ForwardDeclaration, baseDomains: [String]) throws -> Decision {
        guard let raw = declaration.hostname else {
            return Decision(error: .invalidForward(
                "The \(declaration.type.rawValue) forward '\(declaration.name)' needs a hostname."))
        }
        // [CTRL-6]: the same rule the home checked its config with.
        let name: ForwardHostname
        do { name = try ForwardHostname(raw) } catch {
            return Decision(error: .hostnameRejected(.invalidName(error)))
        }
        let hostname: String
        do throws(DomainError) {
            hostname = try rules.validateForwardHostname(name, baseDomains: baseDomains)
        } catch {
            return Decision(hostname: name.text, error: .hostnameRejected(error))
        }
        let taken = try Bool.fetchOne(
            db,
            sql: "SELECT EXISTS (SELECT 1 FROM forwards WHERE type = ? AND hostname = ? AND error IS NULL)",
            arguments: [declaration.type.rawValue, hostname]) ?? false
        return taken ? Decision(hostname: hostname, error: .hostnameInUse(hostname)) : Decision(hostname: hostname)
    }

    /// Keeps the previous port while it is inside the range and the edge can
    /// listen on it, else takes the lowest port no other forward holds;
    /// either only while the home is within its TCP port quota.
    private func decidePort(previous: Forward?) throws -> Decision {
        guard tcpPortsHeld < home.tcpPortQuota else {
            return Decision(error: .portQuotaExceeded(home: home.name, quota: home.tcpPortQuota))
        }
        if let port = previous?.publicPort, portRange.contains(port), !unavailablePorts.contains(port) {
            return Decision(port: port)
        }
        let used = try Set(Int.fetchAll(
            db, sql: "SELECT public_port FROM forwards WHERE public_port BETWEEN ? AND ?",
            arguments: [portRange.lowerBound, portRange.upperBound]))
        guard let port = portRange.first(where: { !used.contains($0) && !unavailablePorts.contains($0) }) else {
            return Decision(error: .portRangeExhausted(portRange))
        }
        return Decision(port: port)
    }
}
