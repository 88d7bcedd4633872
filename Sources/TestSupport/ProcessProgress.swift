import Foundation

/// What a process under test has done so far: the CPU time it was given and
/// the bytes its logs hold. A wait on a process's start-up compares these
/// between polls instead of counting wall-clock time: on a loaded machine a
/// starting agent gets the CPU late and its start takes longer, which is no
/// failure; a start that no longer advances (no CPU used, nothing logged)
/// is one, and is reported after the same stall however busy the machine.
public struct ProcessProgress: Equatable, Sendable {
    /// utime + stime in clock ticks (/proc/PID/stat fields 14 and 15); nil
    /// when not counted (a process the test polls itself spends CPU on the
    /// polls) or when /proc cannot tell.
    public var cpuTicks: Int?
    /// The sizes of the files the process writes to (its log, stdout, stderr).
    public var logBytes: [Int]

    public init(pid: pid_t, logs: [String], countingCPU: Bool = true) {
        cpuTicks = countingCPU ? Self.cpuTicks(pid) : nil
        logBytes = logs.map { ((try? FileManager.default.attributesOfItem(atPath: $0))?[.size] as? Int) ?? 0 }
    }

    static func cpuTicks(_ pid: pid_t) -> Int? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let afterName = stat.range(of: ") ", options: .backwards)
        else { return nil }
        // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
        let fields = stat[afterName.upperBound...].split(separator: " ")
        guard fields.count > 12, let user = Int(fields[11]), let system = Int(fields[12]) else { return nil }
        return user + system
    }
}
