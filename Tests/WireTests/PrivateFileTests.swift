import Foundation
import Testing
import Wire

/// `PrivateFile.write` replaces files atomically with an exact mode; run as
/// root it keeps a replaced file's owner, so an operator's `sudo homeagent
/// expose` leaves the config readable by the agent's own user.
@Suite("PrivateFile")
struct PrivateFileTests {
    static func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("portico-private-\(UUID().uuidString)").path
    }

    @Test("a write creates the file with exactly the mode asked for and replaces it whole")
    func writesWithMode() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        try PrivateFile.write(Array("one".utf8), to: path, mode: 0o600)
        try PrivateFile.write(Array("two".utf8), to: path, mode: 0o640)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_mode & 0o7777 == 0o640)
        #expect(try PrivateFile.read(path, maximumSize: 100, requirePrivate: false) == Array("two".utf8))
    }

    @Test("root replacing another user's file keeps its owner and group", .enabled(if: geteuid() == 0, "needs root"))
    func rootKeepsTheOwner() throws {
        let path = Self.temporaryPath()
        defer { unlink(path) }
        try PrivateFile.write(Array("agent's".utf8), to: path, mode: 0o600)
        #expect(chown(path, 65534, 65534) == 0)
        try PrivateFile.write(Array("operator's".utf8), to: path, mode: 0o600)
        var info = stat()
        #expect(stat(path, &info) == 0)
        #expect(info.st_uid == 65534 && info.st_gid == 65534)
    }

    @Test("a failure reads as words, not an enum dump")
    func failureDescription() {
        #expect("\(PrivateFile.Failure.io(path: "/x/.y.tmp", operation: "create", reason: "Permission denied"))"
            == "cannot create /x/.y.tmp: Permission denied")
    }
}
