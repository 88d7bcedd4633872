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
            if declaration.port != nil {
                return Decision(error: .invalidForward(
                    "The \(declaration.type.rawValue) forward '\(declaration.name)' is reached by its hostname; remove its port."))
            }
            return try decideHostname(declaration, baseDomains: baseDomains)
        case .tcp:
            guard declaration.hostname == nil else {
                return Decision(error: .invalidForward(
                    "The tcp forward '\(declaration.name)' is reached by a port; remove its hostname."))
            }
            return try decidePort(requested: declaration.port, previous: previous)
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

    /// Gives the port the forward asked for, if any; else keeps the previous
    /// port while it is inside the range and the edge can listen on it, else
    /// takes the lowest port no other forward holds; each only while the home
    /// is within its TCP port quota.
    private func decidePort(requested: Int?, previous: Forward?) throws -> Decision {
        if let requested { return try decideRequestedPort(requested, previous: previous) }
        if let full = quotaFull { return full }
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

    /// [CTRL-7]: exactly the port asked for, or a refusal saying why not;
    /// never another port, which would be an address the home did not expect.
    /// The reasons specific to the port come before the quota: a full quota
    /// would hide that the port could never be had.
    private func decideRequestedPort(_ port: Int, previous: Forward?) throws -> Decision {
        guard portRange.contains(port) else {
            return Decision(error: .portOutsideRange(port: port, range: portRange))
        }
        guard !unavailablePorts.contains(port) else {
            return Decision(error: .portTaken(port: port, by: .otherProgram))
        }
        // This home's forwards that hold a port were judged first (they kept
        // it or moved), so a row still holding `port` is a real holder.
        let holder = try Row.fetchOne(
            db, sql: "SELECT name, home_id FROM forwards WHERE public_port = ? AND id IS NOT ?",
            arguments: [port, previous?.id])
        if let holder {
            let homeID: Int64 = holder["home_id"]
            let name: String = holder["name"]
            return Decision(error: .portTaken(port: port, by: homeID == home.id ? .sameHome(forward: name) : .otherHome))
        }
        return quotaFull ?? Decision(port: port)
    }

    /// The refusal once the home holds its quota of TCP ports; nil below it.
    private var quotaFull: Decision? {
        tcpPortsHeld < home.tcpPortQuota ? nil
            : Decision(error: .portQuotaExceeded(home: home.name, quota: home.tcpPortQuota))
    }
}
