import ArgumentParser

/// A `low-high` range of ports on the command line (`10000-10099`).
struct PortRange: CustomStringConvertible, Sendable {
    var range: ClosedRange<Int>

    init(_ range: ClosedRange<Int>) {
        self.range = range
    }

    /// Parses `low-high`, saying what is wrong with a value that is not
    /// one (ArgumentParser prints the reason after the value and flag).
    static func parse(_ argument: String) throws -> PortRange {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]) else {
            throw ValidationError("write two ports joined by '-', such as 10000-10099")
        }
        guard (1...65_535).contains(low), (1...65_535).contains(high) else {
            throw ValidationError("ports are 1 to 65535")
        }
        guard low <= high else {
            throw ValidationError("the lower port comes first: \(high)-\(low)")
        }
        return PortRange(low...high)
    }

    var description: String { "\(range.lowerBound)-\(range.upperBound)" }
}
