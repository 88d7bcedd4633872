import Foundation

/// A request body that must be one JSON object with only known fields.
///
/// Each accessor checks one field and throws an `invalid_field` error naming
/// it, so handlers read like a list of the fields they accept.
struct JSONObjectBody: Sendable {
    let fields: [String: JSONValue]

    /// An absent field, an explicit `null`, or a value: PATCH needs all three.
    enum Presence<Value: Sendable>: Sendable {
        case absent
        case null
        case value(Value)
    }

    /// Parses `bytes`; an empty body is the empty object (for endpoints whose
    /// every field is optional).
    init(bytes: [UInt8], allowed: Set<String>) throws(APIError) {
        guard !bytes.isEmpty else {
            fields = [:]
            return
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw .badRequest("invalid_json", "The request body is not valid JSON.")
        }
        guard case .object(let fields) = value else {
            throw .badRequest("invalid_json", "The request body must be a JSON object, not \(value.typeName).")
        }
        // Sorted so the message is the same for the same body every time.
        if let unknown = fields.keys.filter({ !allowed.contains($0) }).sorted().first {
            throw .invalidField(unknown, "unknown field; accepted fields are \(allowed.sorted().joined(separator: ", ")).")
        }
        self.fields = fields
    }

    func requiredString(_ name: String) throws(APIError) -> String {
        switch fields[name] {
        case .none, .null?: throw .invalidField(name, "is required.")
        case .string(let text)?: return text
        case let other?: throw .invalidField(name, "must be a string, not \(other.typeName).")
        }
    }

    /// An integer in `range`, or nil/absent; `unit` completes the range message.
    func integer(_ name: String, in range: ClosedRange<Int>, unit: String, nullMeaning: String? = nil)
        throws(APIError) -> Presence<Int>
    {
        let allowed = "an integer from \(Self.grouped(range.lowerBound)) to \(Self.grouped(range.upperBound)) \(unit)"
            + (nullMeaning.map { ", or null for \($0)" } ?? "")
        switch fields[name] {
        case .none: return .absent
        case .null?:
            guard nullMeaning != nil else { throw .invalidField(name, "must be \(allowed), not null.") }
            return .null
        case .integer(let value)?:
            guard range.contains(value) else {
                throw .invalidField(name, "\(Self.grouped(value)) is out of range; it must be \(allowed).")
            }
            return .value(value)
        case .number?: throw .invalidField(name, "must be \(allowed), not a fraction or an out-of-range number.")
        case let other?: throw .invalidField(name, "must be \(allowed), not \(other.typeName).")
        }
    }

    /// `10000000` as `10,000,000`, the way the issue and the docs write limits.
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return value < 0 ? "-" + out : out
    }
}
