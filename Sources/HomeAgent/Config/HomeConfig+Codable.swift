import Wire

/// YAML mapping for ``HomeConfig`` through Yams' `Codable` support.
///
/// Decoding is hand-written on top of ``ConfigFields`` so that unknown keys and
/// wrong types become ``HomeConfigError`` messages; it checks shapes and parses
/// typed scalars (addresses, enums), then runs ``HomeConfig/validate()`` for
/// the rules that span fields, so no decoding path yields an invalid config. Encoding writes keys in schema order and
/// leaves out unset optionals, so a saved file shows only what was chosen.
extension HomeConfig: Codable {
    static let keys = [
        "edge", "home", "ca", "key", "certificate", "ca_pin", "log_format", "drain_timeout_seconds", "max_streams",
        "target_check_seconds", "forwards",
    ]

    init(from decoder: any Decoder) throws {
        let fields = try ConfigFields(
            decoder, location: "", what: "a mapping of keys such as edge, home and forwards")
        try fields.rejectUnknownKeys(allowed: Self.keys)
        edge = try Self.address(fields, "edge")
        home = try fields.requiredString("home")
        ca = try fields.requiredString("ca")
        key = try fields.requiredString("key")
        certificate = try fields.requiredString("certificate")
        caPin = try fields.string("ca_pin")
        logFormat = try fields.oneOf("log_format", LogFormat.self)
        drainTimeoutSeconds = try fields.int("drain_timeout_seconds")
        maxStreams = try fields.int("max_streams")
        targetCheckSeconds = try fields.int("target_check_seconds")
        forwards = []
        if let list = try fields.value("forwards") {
            guard var items = try? list.unkeyedContainer() else {
                throw fields.fail("forwards must be a list of forwards, not \(ConfigFields.shape(of: list))")
            }
            while !items.isAtEnd {
                forwards.append(try items.decode(Forward.self))
            }
        }
        try validate()
    }

    func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: ConfigFields.Key.self)
        try out.encode(edge.description, forKey: .init("edge"))
        try out.encode(home, forKey: .init("home"))
        try out.encode(ca, forKey: .init("ca"))
        try out.encode(key, forKey: .init("key"))
        try out.encode(certificate, forKey: .init("certificate"))
        try out.encodeIfPresent(caPin, forKey: .init("ca_pin"))
        try out.encodeIfPresent(logFormat?.rawValue, forKey: .init("log_format"))
        try out.encodeIfPresent(drainTimeoutSeconds, forKey: .init("drain_timeout_seconds"))
        try out.encodeIfPresent(maxStreams, forKey: .init("max_streams"))
        try out.encodeIfPresent(targetCheckSeconds, forKey: .init("target_check_seconds"))
        try out.encode(forwards, forKey: .init("forwards"))
    }

    /// A required `host:port` field.
    static func address(_ fields: ConfigFields, _ key: String) throws(HomeConfigError) -> Address {
        let text = try fields.requiredString(key)
        do {
            return try Address(parsing: text, field: key)
        } catch {
            throw fields.fail(error.message)
        }
    }
}

extension HomeConfig.Forward: Codable {
    static let keys = ["name", "type", "hostname", "target", "acme_target", "proxy_protocol", "compress", "port"]

    init(from decoder: any Decoder) throws {
        // Yams puts the list index last in the coding path; messages count from 0.
        let index = decoder.codingPath.last?.intValue.map(String.init) ?? "?"
        var fields = try ConfigFields(
            decoder, location: "forwards[\(index)]", what: "a forward (a mapping with name, type, target)")
        name = try fields.requiredString("name")
        fields.location += " \(HomeConfig.quoted(name))"
        try fields.rejectUnknownKeys(allowed: Self.keys)
        guard let type = try fields.oneOf("type", ForwardType.self) else {
            throw fields.fail("missing required key \"type\" (https, http or tcp)")
        }
        self.type = type
        hostname = try fields.string("hostname").map { text throws(HomeConfigError) in
            // [CTRL-6]: the edge's rule, so the edge never refuses a name this accepted.
            do { return try ForwardHostname(text) } catch { throw fields.fail("hostname: \(error)") }
        }
        target = try HomeConfig.address(fields, "target")
        acmeTarget = try fields.string("acme_target") == nil ? nil : HomeConfig.address(fields, "acme_target")
        proxyProtocol = try fields.oneOf("proxy_protocol", HomeConfig.ProxyProtocolVersion.self)
        compress = try fields.bool("compress")
        port = try fields.int("port")
    }

    func encode(to encoder: any Encoder) throws {
        var out = encoder.container(keyedBy: ConfigFields.Key.self)
        try out.encode(name, forKey: .init("name"))
        try out.encode(type.rawValue, forKey: .init("type"))
        try out.encodeIfPresent(hostname?.text, forKey: .init("hostname"))
        try out.encode(target.description, forKey: .init("target"))
        try out.encodeIfPresent(acmeTarget?.description, forKey: .init("acme_target"))
        try out.encodeIfPresent(proxyProtocol?.rawValue, forKey: .init("proxy_protocol"))
        try out.encodeIfPresent(compress, forKey: .init("compress"))
        try out.encodeIfPresent(port, forKey: .init("port"))
    }
}
