import ArgumentParser
import Foundation

/// A bandwidth limit on the command line: kbit/s, or `none` for unlimited.
/// Checked against the same range as the API, so a typo fails before any
/// request is sent.
enum LimitArgument: ExpressibleByArgument, Equatable {
    case unlimited
    case kbps(Int)

    init?(argument: String) {
        switch argument.lowercased() {
        case "none", "unlimited": self = .unlimited
        default:
            guard let value = Int(argument) else { return nil }
            self = .kbps(value)
        }
    }

    static var defaultCompletionKind: CompletionKind { .list(["none"]) }

    /// The JSON value for the API: a number or null.
    var json: Any { if case .kbps(let value) = self { value } else { NSNull() } }

    func validate(_ option: String) throws {
        if case .kbps(let value) = self, !Home.bandwidthRangeKbps.contains(value) {
            throw ValidationError(
                "\(option) \(value): a limit is \(Home.bandwidthRangeKbps.lowerBound) to \(Home.bandwidthRangeKbps.upperBound) kbit/s, or none")
        }
    }
}

/// A burst on the command line: bytes, or `default` (100 ms at the limit, at least 64 KiB).
enum BurstArgument: ExpressibleByArgument, Equatable {
    case automatic
    case bytes(Int)

    init?(argument: String) {
        if argument.lowercased() == "default" {
            self = .automatic
        } else if let value = Int(argument) {
            self = .bytes(value)
        } else {
            return nil
        }
    }

    var json: Any { if case .bytes(let value) = self { value } else { NSNull() } }

    func validate() throws {
        if case .bytes(let value) = self, !Home.burstRangeBytes.contains(value) {
            throw ValidationError(
                "--burst \(value): a burst is \(Home.burstRangeBytes.lowerBound) to \(Home.burstRangeBytes.upperBound) bytes, or default")
        }
    }
}

/// `--tcp-ports N`: checked against the registry's range before any request is sent.
enum TCPPortQuotaArgument {
    static func validate(_ quota: Int?) throws {
        if let quota, !Home.tcpPortQuotaRange.contains(quota) {
            throw ValidationError(
                "--tcp-ports \(quota): a quota is \(Home.tcpPortQuotaRange.lowerBound) to \(Home.tcpPortQuotaRange.upperBound) ports")
        }
    }
}
