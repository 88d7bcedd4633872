import Foundation
import Wire

/// `edge.runtime.json` in the data directory: the ports the running edge
/// actually bound (they may have been chosen by the system), so that the
/// admin commands find the API without being told.
struct EdgeRuntimeFile: Codable, Equatable {
    var apiPort: Int
    var tunnelPort: Int
    var httpsPort: Int?
    var httpPort: Int?

    static let name = "edge.runtime.json"

    enum CodingKeys: String, CodingKey {
        case apiPort = "api_port"
        case tunnelPort = "tunnel_port"
        case httpsPort = "https_port"
        case httpPort = "http_port"
    }

    func write(to directory: URL) throws {
        let data = try JSONEncoder().encode(self)
        try PrivateFile.write(Array(data), to: directory.appendingPathComponent(Self.name).path, mode: 0o600)
    }

    /// Removes the file of an edge that stopped; one already gone is fine.
    static func remove(from directory: URL) {
        try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
    }

    static func read(from directory: URL) -> EdgeRuntimeFile? {
        guard let bytes = try? PrivateFile.read(directory.appendingPathComponent(name).path, maximumSize: 4096, requirePrivate: false)
        else { return nil }
        return try? JSONDecoder().decode(EdgeRuntimeFile.self, from: Data(bytes))
    }
}
