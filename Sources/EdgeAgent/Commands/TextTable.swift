/// The admin commands' human output: a header and rows in aligned columns,
/// two spaces apart, the last column unpadded so lines carry no trailing
/// blanks; or, with no rows, one line saying so and what would add some.
/// Scripts take `--json` instead, which never changes shape for people.
struct TextTable {
    var headers: [String]
    var rows: [[String]] = []
    /// What to print instead of an empty table.
    var empty: String

    init(_ headers: [String], empty: String) {
        self.headers = headers
        self.empty = empty
    }

    mutating func add(_ row: [String]) {
        rows.append(row)
    }

    var text: String {
        guard !rows.isEmpty else { return empty }
        let all = [headers] + rows
        let widths = headers.indices.map { column in all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }
            .joined(separator: "  ")
        }
        .joined(separator: "\n")
    }
}
