import Foundation

/// The JSON both ends of the admin socket use, and where the socket lives.
enum AdminSocketCoding {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    /// Where a config's agent listens: next to the config file, named after
    /// it (`homeagent.yaml` → `homeagent.sock`).
    static func socketPath(forConfig configPath: String) -> String {
        let url = URL(fileURLWithPath: configPath)
        let base = url.deletingPathExtension().lastPathComponent
        return url.deletingLastPathComponent().appendingPathComponent(base + ".sock").path
    }
}
