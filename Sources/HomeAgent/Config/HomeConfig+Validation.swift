/// Rules that a config must satisfy beyond its YAML shape, checked on every
/// load, save and edit so that the agent never starts, and `expose` never
/// writes, a config the edge would refuse or the home would misroute.
///
/// Hostnames are checked for form only; whether they fall under one of the
/// home's base domains is the edge's decision (it holds the domain registry).
extension HomeConfig {
    static let drainTimeoutRange = 0...3600

    /// Throws the first rule broken, as `HomeConfigError.invalid` naming the field.
    func validate() throws(HomeConfigError) {
        if let problem = Self.nameProblem(home, field: "home") {
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
        }
    }

    /// Why `name` is not 1-63 of `[a-z0-9-]`, or `nil` if it is. Names end up
    /// in DNS-like places (logs, metrics labels, URLs), hence the DNS label rule.
    static func nameProblem(_ name: String, field: String) -> String? {
        let valid = (1...63).contains(name.utf8.count) && name.utf8.allSatisfy(isNameByte)
        return valid ? nil : "\(field) \(quoted(name)) must be 1-63 characters of a-z, 0-9 and \"-\""
    }

    /// Why `hostname` is not a lowercase DNS name of two or more labels,
    /// optionally starting with `*.`, or `nil` if it is.
    static func hostnameProblem(_ hostname: String) -> String? {
        let shown = quoted(hostname)
        guard !hostname.isEmpty else { return "hostname must not be empty" }
        guard hostname.utf8.count <= 253 else { return "hostname \(shown) is longer than 253 characters" }
        guard !hostname.hasSuffix(".") else { return "hostname \(shown) must not end with \".\"" }
        guard hostname.lowercased() == hostname else { return "hostname \(shown) must be lowercase" }
        let name = hostname.hasPrefix("*.") ? hostname.dropFirst(2) : Substring(hostname)
        guard !name.contains("*") else {
            return "hostname \(shown): \"*\" is only allowed as the whole first label, as in *.example.com"
        }
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        for label in labels {
            guard !label.isEmpty else { return "hostname \(shown) has an empty label" }
            guard label.utf8.count <= 63 else {
                return "hostname \(shown) has a label longer than 63 characters"
            }
            guard label.utf8.allSatisfy(isNameByte) else {
                return "hostname \(shown) may only contain a-z, 0-9, \"-\" and \".\" "
                    + "(write international names in their xn-- form)"
            }
            guard label.first != "-", label.last != "-" else {
                return "hostname \(shown) has a label that starts or ends with \"-\""
            }
        }
        guard labels.count >= 2 else {
            return "hostname \(shown) must be a full name such as app.example.com"
        }
        guard labels.last?.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) == false else {
            return "hostname \(shown) looks like an IP address; public forwards are routed by name"
        }
        return nil
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

    private static func isNameByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || byte == UInt8(ascii: "-")
    }
}

extension HomeConfig.Forward {
    /// The first rule this forward breaks on its own (not counting name
    /// clashes with other forwards), or `nil`.
    var problem: String? {
        if let problem = HomeConfig.nameProblem(name, field: "name") { return problem }
        if let problem = HomeConfig.addressProblem(target, field: "target") { return problem }
        switch (type.needsHostname, hostname) {
        case (true, nil):
            return "hostname is required for type \(type.rawValue)"
        case (false, .some):
            return "hostname is not allowed for type tcp (the edge allocates a public port instead)"
        case (true, let hostname?):
            if let problem = HomeConfig.hostnameProblem(hostname) { return problem }
        case (false, nil):
            break
        }
        if let acmeTarget {
            guard type == .https else {
                return "acme_target is only for type https (http forwards get ACME challenges at their target)"
            }
            if let problem = HomeConfig.addressProblem(acmeTarget, field: "acme_target") { return problem }
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
