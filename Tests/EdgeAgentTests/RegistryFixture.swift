import Foundation
import GRDB
@testable import EdgeAgent

/// A registry on a real SQLite file in a fresh temporary directory, removed
/// when the test body returns (or throws).
enum RegistryFixture {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let ports = 10_000...10_099

    /// Runs `body` with an open registry and its data directory.
    static func with(_ body: (Registry, URL) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("portico-registry-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try open(directory)
        do {
            try await body(registry, directory)
        } catch {
            try? registry.close()
            throw error
        }
        try? registry.close()
    }

    static func open(_ directory: URL) throws -> Registry {
        try Registry(dataDirectory: directory, publicSuffixList: SharedSuffixList.list)
    }

    /// A plain connection to the same file, bypassing the registry, for
    /// checking what is really stored and attempting what the API forbids.
    static func rawQueue(_ directory: URL) throws -> DatabaseQueue {
        try DatabaseQueue(path: directory.appendingPathComponent(Registry.fileName).path)
    }
}
