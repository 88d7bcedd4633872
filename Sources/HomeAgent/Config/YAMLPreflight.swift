/// A cheap lexical pass over config text before Yams sees it, refusing the
/// two YAML features that can hurt a parser rather than just fail it.
///
/// - **Aliases** (`*name`): Yams expands them into the node tree and hashes
///   mapping keys, so a "billion laughs" file of a few hundred bytes costs
///   exponential time. The config never needs them, and the one place a user
///   writes a leading `*` by accident — an unquoted wildcard hostname — gets a
///   message saying to quote it.
/// - **Deep nesting**: Yams composes recursively, so `[[[[…` a megabyte deep
///   would overflow the stack and crash. The schema is three levels deep; more
///   than ``maximumDepth`` is refused.
///
/// The scan understands quotes, comments, flow brackets, block indentation and
/// block scalars (`|`, `>`) well enough to find those tokens. Anything it gets
/// wrong only reaches Yams, which reports real syntax errors itself.
enum YAMLPreflight {
    static let maximumDepth = 32

    private enum Quote { case none, single, double }

    static func check(_ text: String) throws(HomeConfigError) {
        var quote = Quote.none
        var flowDepth = 0
        var indents: [Int] = []
        var blockScalarParent: Int?
        for (lineIndex, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            .map(Array.init).enumerated() {
            let indent = line.prefix { $0 == UInt8(ascii: " ") }.count
            let blank = line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
            if let parent = blockScalarParent {
                if blank || indent > parent { continue }
                blockScalarParent = nil
            }
            if quote == .none, flowDepth == 0, !blank, line[indent] != UInt8(ascii: "#") {
                while let top = indents.last, top > indent { indents.removeLast() }
                if indents.last.map({ indent > $0 }) ?? true { indents.append(indent) }
            }
            var column = indent
            while column < line.count {
                let byte = line[column]
                defer { column += 1 }
                switch quote {
                case .single:
                    if byte == UInt8(ascii: "'") {
                        if column + 1 < line.count, line[column + 1] == UInt8(ascii: "'") { column += 1 } else { quote = .none }
                    }
                    continue
                case .double:
                    if byte == UInt8(ascii: "\\") { column += 1 } else if byte == UInt8(ascii: "\"") { quote = .none }
                    continue
                case .none:
                    break
                }
                let previous = column == 0 ? UInt8(ascii: " ") : line[column - 1]
                let separated = previous == UInt8(ascii: " ") || previous == UInt8(ascii: "\t")
                if byte == UInt8(ascii: "#"), separated { break }
                guard separated || [UInt8(ascii: "["), UInt8(ascii: "{"), UInt8(ascii: ",")].contains(previous) else {
                    if flowDepth > 0, byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { flowDepth -= 1 }
                    continue
                }
                let next = column + 1 < line.count ? line[column + 1] : UInt8(ascii: " ")
                switch byte {
                case UInt8(ascii: "'"): quote = .single
                case UInt8(ascii: "\""): quote = .double
                case UInt8(ascii: "*"):
                    throw .syntax(
                        line: lineIndex + 1, column: column + 1,
                        problem: "YAML aliases (*name) are not supported in the config; "
                            + "quote a wildcard hostname: hostname: \"*.example.com\"")
                case UInt8(ascii: "["), UInt8(ascii: "{"):
                    flowDepth += 1
                case UInt8(ascii: "]"), UInt8(ascii: "}"):
                    flowDepth = max(0, flowDepth - 1)
                case UInt8(ascii: "-"), UInt8(ascii: "?"):
                    let isIndicator = next == UInt8(ascii: " ") || next == UInt8(ascii: "\r")
                    if isIndicator, flowDepth == 0, indents.last.map({ column > $0 }) ?? true {
                        indents.append(column)
                    }
                case UInt8(ascii: "|"), UInt8(ascii: ">"):
                    if flowDepth == 0, isBlockScalarHeader(line[(column + 1)...]) {
                        blockScalarParent = indent
                        column = line.count
                    }
                default:
                    break
                }
                if indents.count + flowDepth > maximumDepth {
                    throw .syntax(
                        line: lineIndex + 1, column: column + 1,
                        problem: "nesting is deeper than \(maximumDepth) levels; this is not a home agent config")
                }
            }
        }
    }

    /// Whether what follows `|` / `>` is only a block scalar header
    /// (indentation and chomping indicators, then nothing or a comment).
    private static func isBlockScalarHeader(_ rest: ArraySlice<UInt8>) -> Bool {
        let header = rest.prefix { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "-") || (48...57).contains($0) }
        let after = rest.dropFirst(header.count).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }
        return after.isEmpty || after.first == UInt8(ascii: "#")
    }
}
