import Yams

/// Text in, text out: the parse and print steps shared by ``HomeConfigFile``
/// and by tests, with Yams' errors turned into ``HomeConfigError/syntax(line:column:problem:)``.
extension HomeConfig {
    /// Parses and validates config text. Never traps: every input yields a
    /// config or a `HomeConfigError`.
    init(yaml text: String) throws(HomeConfigError) {
        try YAMLPreflight.check(text)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, in: text)
        } catch {
            throw .syntax(line: nil, column: nil, problem: "\(error)")
        }
        guard let root, root != Node("", Tag(.null)) else {
            throw .invalid(location: "", problem: "the config file is empty; `homeagent join` writes one")
        }
        try Self.rejectComplexKeys(root)
        do {
            self = try YAMLDecoder().decode(HomeConfig.self, from: root)
        } catch let error as HomeConfigError {
            throw error
        } catch {
            throw .invalid(location: "", problem: "\(error)")
        }
    }

    /// The YAML that ``HomeConfigFile/save(_:to:)`` writes, after validation.
    func yaml() throws(HomeConfigError) -> String {
        try validate()
        do {
            return try YAMLEncoder().encode(self)
        } catch {
            throw .invalid(location: "", problem: "cannot encode the config: \(error)")
        }
    }

    /// Maps a Yams error to a position and a sentence, with a hint for the
    /// mistakes people make by hand (tabs, stray quotes).
    static func syntaxError(_ error: YamlError, in text: String) -> HomeConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var sentence = problem
            if let context {
                sentence += " (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
            }
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.indices.contains(mark.line - 1), lines[mark.line - 1].contains("\t") {
                sentence += "; YAML indentation must use spaces, not tabs"
            }
            return .syntax(line: mark.line, column: mark.column, problem: sentence)
        case .reader(let problem, let offset, _, _):
            guard let offset, let index = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else {
                return .syntax(line: nil, column: nil, problem: problem)
            }
            let before = text[..<index]
            let line = before.count { $0 == "\n" } + 1
            let column = before.distance(from: before.lastIndex(of: "\n").map(before.index(after:)) ?? before.startIndex,
                                         to: before.endIndex) + 1
            return .syntax(line: line, column: column, problem: problem)
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.map { HomeConfig.quoted($0) }.joined(separator: ", ")
            return .syntax(line: context.mark.line, column: context.mark.column, problem: "duplicate key \(keys)")
        default:
            return .syntax(line: nil, column: nil, problem: "\(error)")
        }
    }

    /// Refuses mapping keys that are lists or mappings (`? [a]`), which the
    /// decoder would otherwise skip without a word.
    private static func rejectComplexKeys(_ node: Node) throws(HomeConfigError) {
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                guard case .scalar = key else {
                    throw .syntax(line: key.mark?.line, column: key.mark?.column, problem: "keys must be plain names")
                }
                try rejectComplexKeys(value)
            }
        case .sequence(let sequence):
            for item in sequence { try rejectComplexKeys(item) }
        case .scalar, .alias:
            break
        }
    }
}
