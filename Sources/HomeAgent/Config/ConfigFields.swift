/// Strict, message-friendly reading of one YAML mapping in the config.
///
/// Plain `Codable` synthesis would ignore unknown keys (so `forward:` would
/// silently mean "no forwards") and report `DecodingError`s in coding-path
/// jargon. This wrapper sees every key, refuses the ones the schema does not
/// know, and turns each wrong type into `HomeConfigError.invalid` naming the
/// field as the user wrote it.
struct ConfigFields {
    /// A coding key for any string, so that unknown keys can be listed.
    struct Key: CodingKey {
        let stringValue: String
        let intValue: Int? = nil
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private let container: KeyedDecodingContainer<Key>
    /// Where this mapping sits, as used in messages: `""` or `forwards[1] "app"`.
    var location: String

    /// Opens `decoder` as a mapping; `what` describes the expected content.
    init(_ decoder: any Decoder, location: String, what: String) throws(HomeConfigError) {
        self.location = location
        do {
            container = try decoder.container(keyedBy: Key.self)
        } catch {
            let found = Self.shape(of: decoder)
            throw .invalid(location: location, problem: "expected \(what), found \(found)")
        }
    }

    /// Refuses the first key not in `allowed`, suggesting the nearest known one.
    func rejectUnknownKeys(allowed: [String]) throws(HomeConfigError) {
        for key in container.allKeys where !allowed.contains(key.stringValue) {
            let unknown = key.stringValue
            let hint = allowed.min { Self.distance($0, unknown) < Self.distance($1, unknown) }
                .flatMap { Self.distance($0, unknown) <= 2 ? " (did you mean \"\($0)\"?)" : nil }
                ?? " (expected one of: \(allowed.joined(separator: ", ")))"
            throw fail("unknown key \(HomeConfig.quoted(unknown))\(hint)")
        }
    }

    /// The scalar at `key` as text, or `nil` when absent or null.
    func string(_ key: String) throws(HomeConfigError) -> String? {
        guard let decoder = try value(key) else { return nil }
        do {
            return try decoder.singleValueContainer().decode(String.self)
        } catch {
            throw fail("\(key) must be a single value, not \(Self.shape(of: decoder))")
        }
    }

    /// Like ``string(_:)`` but a missing or null value is an error.
    func requiredString(_ key: String) throws(HomeConfigError) -> String {
        guard let text = try string(key) else { throw fail("missing required key \"\(key)\"") }
        return text
    }

    /// A YAML boolean (`true` / `false`) at `key`, or `nil` when absent or null.
    func bool(_ key: String) throws(HomeConfigError) -> Bool? {
        guard let decoder = try value(key) else { return nil }
        if let value = try? decoder.singleValueContainer().decode(Bool.self) { return value }
        throw fail("\(key) must be true or false, not \(Self.shape(of: decoder))")
    }

    /// A whole number at `key`, or `nil` when absent or null.
    func int(_ key: String) throws(HomeConfigError) -> Int? {
        guard let decoder = try value(key) else { return nil }
        if let value = try? decoder.singleValueContainer().decode(Int.self) { return value }
        throw fail("\(key) must be a whole number, not \(Self.shape(of: decoder))")
    }

    /// One of an enum's raw values at `key`, or `nil` when absent or null.
    func oneOf<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type) throws(HomeConfigError) -> T?
    where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            let names = T.allCases.map(\.rawValue)
            let expected = names.count == 1
                ? names[0] : names.dropLast().joined(separator: ", ") + " or " + names[names.count - 1]
            throw fail("unknown \(key) \(HomeConfig.quoted(text)) (expected \(expected))")
        }
        return value
    }

    /// A decoder for the value at `key`, or `nil` when absent or null.
    func value(_ key: String) throws(HomeConfigError) -> (any Decoder)? {
        let codingKey = Key(key)
        guard container.contains(codingKey), (try? container.decodeNil(forKey: codingKey)) != true else {
            return nil
        }
        do {
            return try container.superDecoder(forKey: codingKey)
        } catch {
            throw fail("\(key) cannot be read")
        }
    }

    /// An `invalid` error at this mapping's location.
    func fail(_ problem: String) -> HomeConfigError {
        .invalid(location: location, problem: problem)
    }

    /// What a value is, for "found …" messages: `a list`, `a mapping` or the scalar quoted.
    static func shape(of decoder: any Decoder) -> String {
        if (try? decoder.unkeyedContainer()) != nil { return "a list" }
        if (try? decoder.container(keyedBy: Key.self)) != nil { return "a mapping" }
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            return text.isEmpty ? "an empty value" : HomeConfig.quoted(text)
        }
        return "an unreadable value"
    }

    /// Edit distance, for "did you mean" hints on short key names.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty, abs(a.count - b.count) <= 3 else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            }
            previous = current
        }
        return previous[b.count]
    }
}
