/// The DNS record a home must publish before the edge accepts its claim of a
/// domain ([PROOF-2]): sent in DOMAIN_RESULT with a `verification_required`
/// or `verification_unavailable` error, so a program can show or publish it
/// without parsing the message.
public struct DomainVerificationRecord: Codable, Hashable, Sendable {
    /// `_portico.<domain>`, without a trailing dot.
    public var name: String
    /// `"TXT"`, the only type so far.
    public var type: String
    /// The record's whole value, e.g. `portico-verify=…`.
    public var value: String

    public init(name: String, type: String = "TXT", value: String) {
        self.name = name
        self.type = type
        self.value = value
    }
}
