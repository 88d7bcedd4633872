import Foundation

/// One thread of a running process as /proc shows it.
struct ThreadNiceness: Sendable, CustomStringConvertible {
    var id: String
    /// The thread's name (`comm`): NIO names event-loop threads `NIO-ELT-…`
    /// (`NIO-SGLTN-…` in its singleton group).
    var name: String
    var nice: Int

    var description: String { "\(name)[\(id)]=\(nice)" }
    var isEventLoop: Bool { name.hasPrefix("NIO-ELT") || name.hasPrefix("NIO-SGLTN") }

    /// Every thread of `pid` with its nice value: field 19 of
    /// /proc/PID/task/TID/stat. The name (field 2) is in parentheses and may
    /// hold spaces, so fields are counted from the last ')'.
    static func threads(of pid: Int32) -> [ThreadNiceness] {
        let directory = "/proc/\(pid)/task"
        let ids = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return ids.sorted().compactMap { id in
            guard let stat = try? String(contentsOfFile: "\(directory)/\(id)/stat", encoding: .utf8),
                let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")")
            else { return nil }
            let name = String(stat[stat.index(after: open)..<close])
            // After ')': field 3 (state) onwards, so field 19 is the 17th.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 16, let nice = Int(fields[16]) else { return nil }
            return ThreadNiceness(id: id, name: name, nice: nice)
        }
    }
}
