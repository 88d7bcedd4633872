import Foundation

/// What a running process holds of the machine, read from /proc: its
/// resident memory and its open descriptors. Tests compare these before
/// and after a load to find what the load left behind.
struct ProcessFootprint: CustomStringConvertible {
    var residentBytes: Int
    var descriptors: Int

    init(residentBytes: Int, descriptors: Int) {
        self.residentBytes = residentBytes
        self.descriptors = descriptors
    }

    init(pid: Int32) {
        residentBytes = Self.residentBytes(pid)
        descriptors = Self.openDescriptors(pid)
    }

    var description: String {
        "RSS \(String(format: "%.1f", Double(residentBytes) / 1_048_576)) MB, \(descriptors) descriptors"
    }

    /// Resident memory of a process, in bytes (VmRSS).
    static func residentBytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
            let kilobytes = line.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return 0 }
        return kilobytes * 1024
    }

    /// How many descriptors a process has open (entries of /proc/PID/fd).
    static func openDescriptors(_ pid: Int32) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// Samples `pid`'s RSS until it has not grown by more than 1 MB for 2 s.
    static func settledResidentBytes(_ pid: Int32, within limit: Duration = .seconds(30)) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        var last = residentBytes(pid)
        var stableSince = ContinuousClock.now
        while ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(250))
            let now = residentBytes(pid)
            if now > last + 1_000_000 { stableSince = ContinuousClock.now }
            last = max(last, now)
            if ContinuousClock.now - stableSince > .seconds(2) { break }
        }
        return last
    }

    /// Waits until `pid` holds at most `limit` descriptors, as long as the
    /// count keeps falling: gives up once it has not fallen for `stall`, or
    /// after `within` in all. Returns the last count.
    static func descriptors(
        of pid: Int32, fallingTo limit: Int, stall: Duration = .seconds(5), within: Duration = .seconds(60)
    ) async throws -> Int {
        let deadline = ContinuousClock.now + within
        var lowest = openDescriptors(pid)
        var progressAt = ContinuousClock.now
        while lowest > limit, ContinuousClock.now - progressAt < stall, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            let now = openDescriptors(pid)
            if now < lowest {
                lowest = now
                progressAt = ContinuousClock.now
            }
        }
        return openDescriptors(pid)
    }
}
