import Foundation
import Testing
@testable import HomeAgent

/// The config on disk: atomic private saves, refusal of exposed or oversized
/// files, and the key file's permissions. Every test works in its own temp dir.
@Suite struct ConfigFileTests {
    typealias F = ConfigFixture

    /// A config that sets every optional field and stresses quoting.
    static var everything: HomeConfig {
        var config = F.issueConfig
        config.edge = F.address("[2001:db8::1]:8444")
        config.home = "null"
        config.caPin = String(repeating: "0123456789", count: 6) + "abcd"
        config.logFormat = .json
        config.drainTimeoutSeconds = 30
        config.forwards[0].hostname = F.hostname("*.example.com")
        config.forwards[0].proxyProtocol = .v2
        config.forwards[1].compress = true
        config.forwards[1].name = "yes"
        config.forwards[2].name = "123"
        config.forwards[2].compress = false
        return config
    }

    @Test(arguments: [F.issueConfig, everything])
    func saveThenLoadGivesBackTheSameConfig(config: HomeConfig) throws {
        try F.withTemporaryDirectory { dir in
            try F.writeFile(dir + "/home.key", "key")
            try HomeConfigFile.save(config, to: dir + "/home.yaml")
            #expect(try HomeConfigFile.load(path: dir + "/home.yaml") == config)
        }
    }

    @Test func saveWritesMode0600AndLeavesNoTemporaryFiles() throws {
        try F.withTemporaryDirectory { dir in
            try HomeConfigFile.save(F.issueConfig, to: dir + "/home.yaml")
            #expect(try F.permissions(of: dir + "/home.yaml") == 0o600)
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["home.yaml"])
        }
    }

    @Test func saveOverAnExposedFileLeavesItPrivate() throws {
        try F.withTemporaryDirectory { dir in
            try F.writeFile(dir + "/home.yaml", "old", mode: 0o644)
            try HomeConfigFile.save(F.issueConfig, to: dir + "/home.yaml")
            #expect(try F.permissions(of: dir + "/home.yaml") == 0o600)
        }
    }

    @Test func savedFileHasTheHeaderAndKeepsForwardOrder() throws {
        try F.withTemporaryDirectory { dir in
            var config = F.issueConfig
            config.forwards.reverse()
            try HomeConfigFile.save(config, to: dir + "/home.yaml")
            let text = try String(contentsOfFile: dir + "/home.yaml", encoding: .utf8)
            #expect(text.hasPrefix(HomeConfigFile.header))
            let positions = ["name: ssh", "name: app", "name: web"].map { text.range(of: $0)?.lowerBound }
            #expect(positions.allSatisfy { $0 != nil })
            #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
            #expect(!text.contains("drain_timeout_seconds"), "defaults are not written")
        }
    }

    @Test func savingAnInvalidConfigWritesNothing() throws {
        try F.withTemporaryDirectory { dir in
            var config = F.issueConfig
            config.forwards[1].hostname = nil
            let error = F.configError { try HomeConfigFile.save(config, to: dir + "/home.yaml") }
            #expect(error?.description == #"forwards[1] "app": hostname is required for type http"#)
            let listing = try FileManager.default.contentsOfDirectory(atPath: dir)
            #expect(listing.isEmpty)
        }
    }

    @Test func savingIntoAMissingDirectoryFailsWithoutLeftovers() throws {
        try F.withTemporaryDirectory { dir in
            let error = F.configError { try HomeConfigFile.save(F.issueConfig, to: dir + "/nope/home.yaml") }
            guard case .cannotWrite(let path, let reason) = error else {
                Issue.record("expected cannotWrite, got \(String(describing: error))")
                return
            }
            #expect(path == dir + "/nope/home.yaml")
            #expect(reason.contains("No such file or directory"))
        }
    }

    @Test(arguments: [0o644, 0o640, 0o604, 0o660, 0o622])
    func configAccessibleToOthersIsRefusedWithTheChmodFix(mode: Int) throws {
        try F.withTemporaryDirectory { dir in
            let path = dir + "/home.yaml"
            try F.writeFile(dir + "/home.key", "key")
            try F.writeFile(path, F.issueExample, mode: mode)
            let error = F.configError { _ = try HomeConfigFile.load(path: path) }
            #expect(error == .insecurePermissions(path: path, mode: UInt16(mode)))
            #expect(error?.description == "\(path) is accessible by group or others (mode 0\(String(mode, radix: 8))); "
                + "it must be private to you: chmod 600 \(path)")
        }
    }

    @Test func keyFileAccessibleToOthersIsRefusedWithTheChmodFix() throws {
        try F.withTemporaryDirectory { dir in
            try F.writeFile(dir + "/home.key", "key", mode: 0o644)
            try F.writeFile(dir + "/home.yaml", F.issueExample)
            #expect(F.configError { _ = try HomeConfigFile.load(path: dir + "/home.yaml") }?.description
                == "\(dir)/home.key is accessible by group or others (mode 0644); "
                + "it must be private to you: chmod 600 \(dir)/home.key")
        }
    }

    @Test func missingKeyFileIsReportedWithItsResolvedPath() throws {
        try F.withTemporaryDirectory { dir in
            try F.writeFile(dir + "/home.yaml", F.issueExample)
            #expect(F.configError { _ = try HomeConfigFile.load(path: dir + "/home.yaml") }?.description
                == "key: cannot use key file \(dir)/home.key: No such file or directory")
        }
    }

    @Test func fileOverOneMebibyteIsRefusedBeforeParsing() throws {
        try F.withTemporaryDirectory { dir in
            let path = dir + "/home.yaml"
            try F.writeFile(path, F.issueExample + "#" + String(repeating: "x", count: 2 << 20) + "\n")
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(F.configError { _ = try HomeConfigFile.load(path: path) } == .tooLarge(path: path, size: size))
            #expect(F.configError { _ = try HomeConfigFile.load(path: path) }?.description
                == "\(path) is \(size) bytes; a config file may be at most 1048576 bytes (is this the right file?)")
        }
    }

    @Test func missingFileAndDirectoryAreUnreadable() throws {
        try F.withTemporaryDirectory { dir in
            #expect(F.configError { _ = try HomeConfigFile.load(path: dir + "/none.yaml") }
                == .missing(path: dir + "/none.yaml"))
            try FileManager.default.setAttributes([.posixPermissions: 0o700], ofItemAtPath: dir)
            #expect(F.configError { _ = try HomeConfigFile.load(path: dir) }
                == .cannotRead(path: dir, reason: "not a regular file"))
        }
    }

    @Test func nonUTF8BytesAreRefused() throws {
        try F.withTemporaryDirectory { dir in
            try F.writeFile(dir + "/home.yaml", Data(F.header.utf8) + Data([0x68, 0x6F, 0x6D, 0xFF, 0xFE]))
            #expect(F.configError { _ = try HomeConfigFile.load(path: dir + "/home.yaml") } == .notUTF8)
        }
    }
}
