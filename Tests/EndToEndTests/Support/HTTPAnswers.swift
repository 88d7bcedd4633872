import Foundation

/// Splits raw HTTP/1.1 answers, each with a Content-Length, into their bodies.
enum HTTPAnswers {
    static func bodies(_ bytes: [UInt8]) -> [String] {
        var rest = bytes[...]
        var bodies: [String] = []
        let separator: [UInt8] = [13, 10, 13, 10]
        while let end = rest.indices.first(where: { rest[$0...].starts(with: separator) }) {
            let head = String(decoding: rest[..<end], as: UTF8.self)
            let length = head.split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            let bodyStart = end + separator.count
            guard rest.endIndex - bodyStart >= length else { break }
            bodies.append(String(decoding: rest[bodyStart..<(bodyStart + length)], as: UTF8.self))
            rest = rest[(bodyStart + length)...]
        }
        return bodies
    }
}
