import Foundation
import Wire
import Yams

/// The edge's config file (`/etc/portico/edge.yaml`): a flat YAML mapping
/// from `serve`'s option names (`base_port`, `tcp_ports`, …) to values, each
/// remembered with its line so a bad value is reported where it was written.
///
/// Strict like the home config: an unknown key is an error (with the nearest
/// known key as a hint), never silently ignored, since a misspelt
/// `tcp_port:` would otherwise leave the edge on its default range.
struct EdgeConfigFile: Sendable {
    /// A value as written: one scalar, or a list of scalars (`hostname`).
    enum Value: Sendable, Equatable {
        case scalar(String)
        case list([String])
    }

    struct Entry: Sendable, Equatable {
        var value: Value
        var line: Int
    }

    /// 1 MiB: an edge config is a few hundred bytes.
    static let maximumSize = 1 << 20

    let path: String
    let entries: [EdgeSetting: Entry]

    /// Reads and checks the file at `path`; `namedBy` says who asked for it
    /// (`--config`, `PORTICO_CONFIG`) for the message when it is missing.
    static func load(path: String, namedBy: String) throws(EdgeConfigError) -> EdgeConfigFile {
        let bytes: [UInt8]
        do throws(PrivateFile.Failure) {
            // Not secret (the admin token lives in the data directory), so any mode is fine.
            bytes = try PrivateFile.read(path, maximumSize: maximumSize, requirePrivate: false)
        } catch {
            switch error {
            case .notFound: throw .missing(path: path, namedBy: namedBy)
            case .notARegularFile: throw .cannotRead(path: path, reason: "not a regular file")
            case .tooLarge(_, let size): throw .tooLarge(path: path, size: size)
            case .io(_, _, let reason): throw .cannotRead(path: path, reason: reason)
            case .insecurePermissions: throw .cannotRead(path: path, reason: "\(error)")
            }
        }
        // Readable by anyone, but whoever may write it picks the data directory and ports.
        var info = stat()
        if stat(path, &info) == 0, info.st_mode & 0o022 != 0 {
            throw .cannotRead(
                path: path,
                reason: "it is writable by group or others (mode \(String(info.st_mode & 0o777, radix: 8))), so anyone who can "
                    + "write it chooses the edge's data directory and ports; chmod go-w \(path)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .cannotRead(path: path, reason: "not UTF-8 text")
        }
        return try EdgeConfigFile(path: path, text: text)
    }

    /// Parses config text; `path` is only for messages.
    init(path: String, text: String) throws(EdgeConfigError) {
        self.path = path
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw Self.syntaxError(error, path: path, text: text)
        } catch {
            throw .syntax(path: path, line: nil, column: nil, problem: "\(error)")
        }
        // An empty file (or only comments) sets nothing: every option keeps its default.
        guard let root, root.null == nil else {
            entries = [:]
            return
        }
        guard case .mapping(let mapping) = root else {
            throw .malformed(
                path: path, line: root.mark?.line,
                problem: "expected a mapping of option names to values, such as `base_port: 443`")
        }
        var entries: [EdgeSetting: Entry] = [:]
        for (keyNode, valueNode) in mapping {
            let line = keyNode.mark?.line ?? 0
            guard case .scalar(let keyScalar) = keyNode else {
                throw .malformed(path: path, line: keyNode.mark?.line, problem: "keys must be plain option names")
            }
            let key = keyScalar.string
            guard let setting = EdgeSetting.all.first(where: { $0.key == key }) else {
                throw .unknownKey(path: path, line: line, key: key, hint: Self.hint(for: key))
            }
            guard let value = try Self.value(valueNode, key: key, path: path, line: line) else { continue }
            entries[setting] = Entry(value: value, line: valueNode.mark?.line ?? line)
        }
        self.entries = entries
    }

    /// A scalar or a list of scalars; nil for an empty value (`key:` alone, `~`),
    /// which leaves the option unset, as in the home config.
    private static func value(_ node: Node, key: String, path: String, line: Int) throws(EdgeConfigError) -> Value? {
        if node.null != nil { return nil }
        switch node {
        case .scalar(let scalar):
            return .scalar(scalar.string)
        case .sequence(let sequence):
            var items: [String] = []
            for item in sequence {
                guard case .scalar(let scalar) = item else {
                    throw .invalidValue(path: path, line: item.mark?.line ?? line, key: key, problem: "list items must be single values")
                }
                items.append(scalar.string)
            }
            return .list(items)
        case .mapping:
            throw .invalidValue(path: path, line: line, key: key, problem: "expected a value, found a mapping")
        case .alias:
            throw .invalidValue(path: path, line: line, key: key, problem: "YAML aliases are not supported here")
        }
    }

    /// "(did you mean …?)" for a near miss, else the list of known keys.
    private static func hint(for key: String) -> String {
        let keys = EdgeSetting.all.map(\.key)
        if let nearest = keys.min(by: { distance($0, key) < distance($1, key) }), distance(nearest, key) <= 3 {
            return " (did you mean \"\(nearest)\"?)"
        }
        return " (known keys: \(keys.joined(separator: ", ")))"
    }

    /// Edit distance between two short names.
    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty, !b.isEmpty else { return max(a.count, b.count) }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }

    /// Yams' error as a position and a sentence, with a hint for tabs, the
    /// one mistake a hand-edited YAML file makes most.
    private static func syntaxError(_ error: YamlError, path: String, text: String) -> EdgeConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _),
             .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            var sentence = problem + (context.map { " (\($0.text) at line \($0.mark.line))" } ?? "")
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if lines.indices.contains(mark.line - 1), lines[mark.line - 1].contains("\t") {
                sentence += "; indent with spaces, not tabs"
            }
            return .syntax(path: path, line: mark.line, column: mark.column, problem: sentence)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return .syntax(
                path: path, line: context.mark.line, column: context.mark.column,
                problem: "duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", "))")
        default:
            return .syntax(path: path, line: nil, column: nil, problem: "\(error)")
        }
    }
}
