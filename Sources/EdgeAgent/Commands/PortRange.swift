import ArgumentParser

/// A `low-high` range of ports on the command line (`10000-10099`).
struct PortRange: ExpressibleByArgument, CustomStringConvertible, Sendable {
    var range: ClosedRange<Int>

    init(_ range: ClosedRange<Int>) {
        self.range = range
    }

    init?(argument: String) {
        let parts = argument.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]),
            1 <= low, low <= high, high <= 65_535
        else { return nil }
        self.range = low...high
    }

    var description: String { "\(range.lowerBound)-\(range.upperBound)" }
    var defaultValueDescription: String { description }
}
