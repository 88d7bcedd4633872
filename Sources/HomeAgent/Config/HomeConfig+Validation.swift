import Wire

/// Rules that a config must satisfy beyond its YAML shape, checked on every
/// load, save and edit so that the agent never starts, and `expose` never
/// writes, a config the edge would refuse or the home would misroute.
///
/// Forward names and hostnames follow Wire's ``ForwardName`` and
/// ``ForwardHostname``, the very rules the edge applies to FORWARDS_SYNC;
/// whether a hostname falls under one of the home's base domains is the
/// edge's decision (it holds the domain registry).
extension HomeConfig {
    static let drainTimeoutRange = 0...3600

    /// Throws the first rule broken, as `HomeConfigError.invalid` naming the field.
    func validate() throws(HomeConfigError) {
        if let problem = Self.homeNameProblem(home) {
            throw .invalid(location: "", problem: problem)
        }
        for (field, path) in [("ca", ca), ("key", key), ("certificate", certificate)] where path.isEmpty {
            throw .invalid(location: "", problem: "\(field) must be a file path, not empty")
        }
        if let problem = Self.addressProblem(edge, field: "edge") {
            throw .invalid(location: "", problem: problem)
        }
        if let pin = caPin {
            let isHex = pin.utf8.allSatisfy { Self.hexDigits.contains($0) }
            guard pin.utf8.count == 64, isHex else {
                throw .invalid(
                    location: "",
                    problem: "ca_pin must be 64 hex digits (the SHA-256 of the edge CA certificate), "
                        + "found \(isHex ? "\(pin.utf8.count) hex digits" : "other characters")")
            }
        }
        if let seconds = drainTimeoutSeconds, !Self.drainTimeoutRange.contains(seconds) {
            throw .invalid(
                location: "",
                problem: "drain_timeout_seconds must be between 0 and \(Self.drainTimeoutRange.upperBound), found \(seconds)")
        }
        if let streams = maxStreams, !Self.maxStreamsRange.contains(streams) {
            throw .invalid(
                location: "",
                problem: "max_streams must be between \(Self.maxStreamsRange.lowerBound) and \(Self.maxStreamsRange.upperBound), found \(streams)")
        }
        if let seconds = targetCheckSeconds, !Self.targetCheckRange.contains(seconds) {
            throw .invalid(
                location: "",
                problem: "target_check_seconds must be between 0 (no checks) and \(Self.targetCheckRange.upperBound), found \(seconds)")
        }
        var seen: [String: Int] = [:]
        for (index, forward) in forwards.enumerated() {
            let location = "forwards[\(index)] \(Self.quoted(forward.name))"
            if let earlier = seen[forward.name] {
                throw .invalid(
                    location: location,
                    problem: "duplicate forward name \(Self.quoted(forward.name)) (also forwards[\(earlier)])")
            }
            seen[forward.name] = index
            if let problem = forward.problem {
                throw .invalid(location: location, problem: problem)
            }
            // The edge would refuse the second one ([CTRL-7]); say so before syncing.
            if let port = forward.port, let earlier = forwards[..<index].firstIndex(where: { $0.port == port }) {
                throw .invalid(
                    location: location,
                    problem: "port \(port) is already asked for by forwards[\(earlier)] \(Self.quoted(forwards[earlier].name))")
            }
        }
        // [CONTROL-1]: the whole list goes to the edge in one frame.
        if let problem = Self.syncSizeProblem(forwards) {
            throw .invalid(location: "", problem: problem)
        }
    }

    /// Why `name` is not the canonical form of a ``HomeName``, or `nil`.
    /// The edge chose the name at join (it names the home's certificate), so
    /// this only catches a hand-edited config; the spelling must be exact,
    /// since the certificate is compared with it.
    static func homeNameProblem(_ name: String) -> String? {
        do {
            let canonical = try HomeName(name).text
            return canonical == name ? nil : "home \(quoted(name)) must be written as the edge named it: \(quoted(canonical))"
        } catch {
            return error.description
        }
    }

    /// Why `address` would not survive a save and load, or `nil`: catches
    /// values built in code with ``Address/init(host:port:)``.
    static func addressProblem(_ address: Address, field: String) -> String? {
        do {
            _ = try Address(parsing: address.description, field: field)
            return nil
        } catch {
            return error.message
        }
    }

    private static let hexDigits = Set("0123456789abcdefABCDEF".utf8)
}

extension HomeConfig.Forward {
    /// The first rule this forward breaks on its own (not counting name
    /// clashes with other forwards), or `nil`.
    var problem: String? {
        // [CTRL-4]: exactly the edge's rule, so the edge never refuses a name this accepted.
        do { _ = try ForwardName(name) } catch { return error.description }
        if let problem = HomeConfig.addressProblem(target, field: "target") { return problem }
        // The hostname itself was checked when it became a ForwardHostname ([CTRL-6]).
        switch (type.needsHostname, hostname) {
        case (true, nil):
            return "hostname is required for type \(type.rawValue)"
        case (false, .some):
            return "hostname is not allowed for type tcp (the edge allocates a public port instead)"
        case (true, .some), (false, nil):
            break
        }
        if let acmeTarget {
            guard type == .https else {
                return "acme_target is only for type https (http forwards get ACME challenges at their target)"
            }
            if let problem = HomeConfig.addressProblem(acmeTarget, field: "acme_target") { return problem }
        }
        if let port {
            guard type == .tcp else {
                return "port is only for type tcp (\(type.rawValue) forwards are reached by their hostname)"
            }
            guard (1...65_535).contains(port) else { return "port \(port) is not a TCP port (1-65535)" }
        }
        if type == .https, compress == true {
            return "compress is not allowed for type https (TLS passthrough bytes do not compress)"
        }
        return nil
    }
}

extension HomeConfig {
    /// `text` in double quotes with escapes, cut to a readable length, so that
    /// user input in a message can never break the line or flood the terminal.
    static func quoted(_ text: some StringProtocol) -> String {
        let limit = 64
        let shown = text.count > limit ? String(text.prefix(limit)) + "…" : String(text)
        return shown.debugDescription
    }
}
