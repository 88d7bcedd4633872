// Helpers for the authority tests: a fresh data directory per test (removed
// afterwards), file modes as the kernel reports them, and the openssl CLI run
// with a bounded wait (killed by PID if it overstays).

import TestSupport
import Foundation
@testable import EdgeAgent

/// A temporary directory removed when the value is released; `data` does not exist yet.
final class AuthorityTestDirectory {
    let root: URL
    /// Where the edge keeps its files; created by the code under test.
    let data: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("portico-authority-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        data = root.appendingPathComponent("edge")
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    func path(_ name: String) -> String { data.appendingPathComponent(name).path }

    /// Permission bits of `path`, from stat(2).
    func mode(_ path: String) -> UInt32 {
        var info = stat()
        guard stat(path, &info) == 0 else { return 0xffff_ffff }
        return UInt32(info.st_mode) & 0o7777
    }

    func chmod(_ name: String, _ mode: mode_t) {
        _ = Foundation.chmod(path(name), mode)
    }

    func read(_ name: String) throws -> String { try String(contentsOfFile: path(name), encoding: .utf8) }

    /// Overwrites `name` keeping its mode (the test plays an operator editing the file).
    func overwrite(_ name: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: data.appendingPathComponent(name))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data(text.utf8))
        try handle.close()
    }

    func open(hostnames: [String] = ["edge.portico.test"], now: Date = Date()) throws(AuthorityError) -> EdgeAuthority {
        try EdgeAuthority.open(directory: data, hostnames: hostnames, now: now, machineName: "testbox")
    }
}

/// The exit status and output of one openssl run.
struct AuthorityOpenSSLResult {
    var status: Int32
    var output: String
}

struct AuthorityOpenSSLTimeout: Error {}

/// Runs `/usr/bin/openssl arguments`; kills it by PID if it runs longer than `timeout`.
func authorityRunOpenSSL(_ arguments: [String], timeout: Duration = .seconds(10)) async throws -> AuthorityOpenSSLResult {
    let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("portico-openssl-\(UUID().uuidString)").path
    defer { try? FileManager.default.removeItem(atPath: outPath) }
    let process = try SpawnedProcess("/usr/bin/openssl", arguments, output: outPath, error: outPath)
    await process.waitForExit(timeout: timeout)
    if process.isRunning {
        await process.killAndWait()
        throw AuthorityOpenSSLTimeout()
    }
    let text = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
    return AuthorityOpenSSLResult(status: process.terminationStatus, output: text)
}
