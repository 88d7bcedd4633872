import ArgumentParser
import Foundation

/// `edgeagent audit [--home NAME] [--limit N] [--json]`: who changed what, newest first.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Show the audit log: every change to homes, tokens, domains and forwards, newest first.",
        discussion: """
            ACTOR is admin (the API and these commands), home:NAME (a home acting over its \
            tunnel: joining, claiming domains, syncing forwards) or system. The log is \
            append-only and outlives what it describes: --home also shows a deleted \
            home's entries.
            """)
    @OptionGroup var options: AdminOptions
    @Option(name: .long, help: "Only entries about this home or done by it.") var home: String?
    @Option(name: .long, help: "How many entries, newest first (1-1000).") var limit = 50
    @Flag(name: .long, help: "Print the API's JSON.") var json = false

    func validate() throws {
        guard (1...1000).contains(limit) else { throw ValidationError("--limit \(limit): use 1 to 1000") }
    }

    func run() async throws {
        let query = [("limit", "\(limit)")] + (home.map { [("home", $0)] } ?? [])
        let result = try await AdminClient(options: options).call("GET", "/api/audit", query: query)
        if json { return try PrintJSON.print(result) }
        var table = TextTable(
            ["TIME", "ACTOR", "ACTION", "SUBJECT", "DETAIL"],
            empty: home.map { "no audit entries for \($0)" } ?? "the audit log is empty")
        for entry in APIFields.list(result, "entries") {
            table.add([
                APIFields.text(entry["time"]), APIFields.text(entry["actor"]), APIFields.text(entry["action"]),
                APIFields.text(entry["subject"]), Self.detail(entry["detail"]),
            ])
        }
        print(table.text)
    }

    /// `{"a": "1", "b": "x"}` as `a=1 b=x`; `-` for none.
    static func detail(_ value: Any?) -> String {
        guard let object = value as? [String: Any] else { return APIFields.text(value) }
        let pairs = object.keys.sorted().map { "\($0)=\(APIFields.text(object[$0]))" }
        return pairs.isEmpty ? "-" : pairs.joined(separator: " ")
    }
}
