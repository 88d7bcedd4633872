import Foundation
import Logging
import Synchronization

/// Writes one JSON object per log record to stderr, for journald and log
/// shippers: `{"time","level","label","message", …metadata}`.
public struct JSONLogHandler: LogHandler {
    private static let output = Mutex(FileHandle.standardError)

    public let label: String
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]

    public init(label: String) {
        self.label = label
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var fields: [String: Any] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { _, new in new }) {
            fields[key] = Self.json(value)
        }
        // UTC with its zone ("…T19:02:33.365Z"): a log shipper must not read it as local time.
        fields["time"] = Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        fields["level"] = event.level.rawValue
        fields["label"] = label
        fields["message"] = "\(event.message)"
        guard var line = try? JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        line.append(UInt8(ascii: "\n"))
        Self.output.withLock { $0.write(line) }
    }

    /// A metadata value as JSON: nested dictionaries and arrays keep their
    /// shape, and integers, floating-point numbers and booleans logged as
    /// values (`.stringConvertible(port)`) stay numbers and booleans, so a
    /// shipper can compare them; everything else is its text.
    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): text
        case .dictionary(let dictionary): dictionary.mapValues(json)
        case .array(let array): array.map(json)
        case .stringConvertible(let value):
            switch value {
            case let value as Bool: value
            case let value as any BinaryInteger: NSNumber(value: Int64(clamping: value))
            case let value as Double where value.isFinite: value
            default: "\(value)"
            }
        }
    }
}
