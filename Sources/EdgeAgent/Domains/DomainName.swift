/// Syntax of the DNS names Portico routes on: hostnames in SNI and Host headers,
/// and the base domains homes claim.
///
/// Only the ASCII form is accepted. Names are compared byte for byte
/// everywhere else (routing, overlap, ownership), so normalising here, once,
/// is what makes `Example.COM.` and `example.com` the same name.
enum DomainName {
    static let maximumLength = 253
    static let maximumLabelLength = 63

    /// Lower-cases `raw`, strips one trailing dot and checks every label.
    ///
    /// - Parameter allowWildcard: whether a leading `*.` is allowed, as it is
    ///   for forward hostnames; the wildcard must be the whole first label.
    /// - Returns: the normalised name, e.g. `*.example.com`.
    static func normalize(_ raw: String, allowWildcard: Bool) throws(DomainError) -> String {
        // Check the length before any work proportional to it is worth doing;
        // +1 for the one trailing dot that is allowed.
        let byteCount = raw.utf8.count
        guard byteCount > 0 else { throw .empty }
        guard byteCount <= maximumLength + 1 else { throw .tooLong(length: raw.count) }

        var name = raw
        if name.hasSuffix(".") { name.removeLast() }
        guard !name.isEmpty else { throw .empty }
        guard name.unicodeScalars.allSatisfy(\.isASCII) else { throw .notPunycode(raw) }
        name = name.lowercased()
        guard name.utf8.count <= maximumLength else { throw .tooLong(length: name.utf8.count) }

        var labels = name.split(separator: ".", omittingEmptySubsequences: false)
        if labels.first == "*" {
            guard allowWildcard else { throw .wildcardNotAllowed(name) }
            labels.removeFirst()
        }
        guard labels.count >= 2 else { throw .tooFewLabels(name) }
        for label in labels {
            try checkLabel(label, in: name)
        }
        return name
    }

    /// Whether `name` is `ancestor` or lies under it (`a.b.example.com` under
    /// `example.com`). A wildcard `*.example.com` lies under `example.com`.
    static func isEqualOrUnder(_ name: String, _ ancestor: String) -> Bool {
        name == ancestor || name.hasSuffix("." + ancestor)
    }

    /// Whether two claimed domains would route some of the same names.
    static func overlap(_ a: String, _ b: String) -> Bool {
        isEqualOrUnder(a, b) || isEqualOrUnder(b, a)
    }

    private static func checkLabel(_ label: Substring, in name: String) throws(DomainError) {
        guard !label.isEmpty else { throw .emptyLabel(name) }
        guard label.utf8.count <= maximumLabelLength else { throw .labelTooLong(String(label)) }
        if label.contains("*") { throw .wildcardNotAllowed(name) }
        let allowed = label.utf8.allSatisfy { byte in
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
                || byte == UInt8(ascii: "-")
        }
        guard allowed else { throw .invalidCharacter(String(label)) }
        guard label.first != "-", label.last != "-" else { throw .hyphenAtLabelEdge(String(label)) }
    }
}
