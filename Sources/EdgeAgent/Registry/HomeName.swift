/// Home names appear in DNS-like places (certificate subjects, logs, URLs of
/// the API), so they follow DNS label syntax: 1–63 of a-z, 0-9 and '-', not
/// starting or ending with '-'. Input is lower-cased first, which is what
/// makes names unique regardless of case.
enum HomeName {
    static let maximumLength = 63

    static func normalize(_ raw: String) throws(RegistryError) -> String {
        guard !raw.isEmpty else { throw .invalidName("A home name must not be empty.") }
        guard raw.utf8.count <= maximumLength else {
            throw .invalidName("A home name is at most \(maximumLength) characters; this one has \(raw.count).")
        }
        let name = raw.lowercased()
        let allowed = name.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
        }
        guard allowed else {
            throw .invalidName("The home name '\(raw)' may only contain a-z, 0-9 and '-'.")
        }
        guard name.first != "-", name.last != "-" else {
            throw .invalidName("The home name '\(raw)' must not start or end with '-'.")
        }
        return name
    }
}
