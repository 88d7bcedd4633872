/// A Prometheus text exposition (format 0.0.4) read the way a scraper reads
/// it, for tests of `/metrics`: every line must have the shape the format
/// allows, and every sample must belong to a family whose TYPE came before it
/// (a histogram's `_bucket`, `_sum` and `_count` belong to the histogram).
public struct PrometheusExposition: Sendable {
    public struct Sample: Sendable, Equatable {
        public var name: String
        public var labels: [String: String]
        public var value: Double
    }

    /// Why a text is not a valid exposition.
    public struct Invalid: Error, CustomStringConvertible {
        public var description: String
    }

    /// The TYPE of each family, by name.
    public private(set) var types: [String: String] = [:]
    public private(set) var samples: [Sample] = []

    public init(_ text: String) throws {
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                guard parts.count == 4, ["counter", "gauge", "histogram"].contains(parts[3]) else {
                    throw Invalid(description: "bad TYPE line: \(line)")
                }
                types[String(parts[2])] = String(parts[3])
            } else if line.hasPrefix("#") {
                continue
            } else {
                let sample = try Self.sample(line)
                guard types[sample.name] != nil || types[Self.histogramFamily(of: sample.name) ?? ""] == "histogram"
                else { throw Invalid(description: "\(sample.name) has no TYPE before it") }
                samples.append(sample)
            }
        }
    }

    /// The value of the sample with exactly these labels.
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Every sample with this name whose labels include `labels`.
    public func samples(_ name: String, matching labels: [String: String] = [:]) -> [Sample] {
        samples.filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The `_bucket` samples of one histogram series, by upper bound, +Inf last.
    public func buckets(_ name: String, _ labels: [String: String]) -> [(bound: Double, count: Double)] {
        samples(name + "_bucket", matching: labels)
            .compactMap { sample in sample.labels["le"].flatMap(Double.init).map { (bound: $0, count: sample.value) } }
            .sorted { $0.bound < $1.bound }
    }

    /// Whether the histogram series reads as one: buckets cumulative, the
    /// last one +Inf and equal to `_count`.
    public func isConsistentHistogram(_ name: String, _ labels: [String: String]) -> Bool {
        let buckets = buckets(name, labels)
        let counts = buckets.map(\.count)
        return buckets.last?.bound == .infinity && counts == counts.sorted()
            && counts.last == value(name + "_count", labels)
    }

    private static func histogramFamily(of name: String) -> String? {
        for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) {
            return String(name.dropLast(suffix.count))
        }
        return nil
    }

    /// `name{label="value",…} value`, label values with `\\`, `\"` and `\n` escapes.
    private static func sample(_ line: String) throws -> Sample {
        let invalid = Invalid(description: "not a sample line: \(line)")
        var rest = Substring(line)
        let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == ":" }
        guard let first = name.first, !first.isNumber else { throw invalid }
        rest = rest.dropFirst(name.count)
        var labels: [String: String] = [:]
        if rest.first == "{" {
            rest = rest.dropFirst()
            while rest.first != "}" {
                let label = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }
                rest = rest.dropFirst(label.count)
                guard !label.isEmpty, rest.hasPrefix("=\"") else { throw invalid }
                rest = rest.dropFirst(2)
                var value = ""
                while let character = rest.popFirst(), character != "\"" {
                    if character == "\\" {
                        switch rest.popFirst() {
                        case "\\": value.append("\\")
                        case "\"": value.append("\"")
                        case "n": value.append("\n")
                        default: throw invalid
                        }
                    } else {
                        value.append(character)
                    }
                }
                labels[String(label)] = value
                if rest.first == "," { rest = rest.dropFirst() }
                guard !rest.isEmpty else { throw invalid }
            }
            rest = rest.dropFirst()
        }
        guard rest.first == " " else { throw invalid }
        let text = rest.dropFirst()
        guard let value = text == "+Inf" ? .infinity : text == "-Inf" ? -.infinity : Double(text) else { throw invalid }
        return Sample(name: String(name), labels: labels, value: value)
    }
}
