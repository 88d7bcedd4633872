// The admin API token: created once with a private mode, loaded after, never
// printed, and compared without an early exit.

import Foundation
import Testing
@testable import EdgeAgent

@Suite struct AdminTokenTests {
    @Test func firstStartCreatesAPrivateTokenFileAndLaterStartsLoadIt() throws {
        let dir = try AuthorityTestDirectory()
        #expect(try AdminToken.load(in: dir.data) == nil)
        let token = try AdminToken.loadOrCreate(in: dir.data)
        #expect(dir.mode(dir.data.path) == 0o700)
        #expect(dir.mode(dir.path("admin.token")) == 0o600)
        #expect(token.value.count == 64)
        #expect(token.value.allSatisfy { $0.isHexDigit && !$0.isUppercase })
        #expect(try dir.read("admin.token") == token.value + "\n")
        #expect(try AdminToken.loadOrCreate(in: dir.data).value == token.value)
        #expect(try AdminToken.load(in: dir.data)?.value == token.value)
    }

    @Test func tokensAreRandom() throws {
        let a = try AuthorityTestDirectory(), b = try AuthorityTestDirectory()
        #expect(try AdminToken.loadOrCreate(in: a.data).value != AdminToken.loadOrCreate(in: b.data).value)
    }

    @Test func verifyAcceptsOnlyTheExactToken() throws {
        let dir = try AuthorityTestDirectory()
        let token = try AdminToken.loadOrCreate(in: dir.data)
        let value = token.value
        #expect(token.verify(value))
        var wrong = Array(value)
        wrong[63] = wrong[63] == "0" ? "1" : "0"
        #expect(!token.verify(String(wrong)))
        var wrongFirst = Array(value)
        wrongFirst[0] = wrongFirst[0] == "0" ? "1" : "0"
        #expect(!token.verify(String(wrongFirst)))
        #expect(!token.verify(String(value.dropLast())))
        #expect(!token.verify(value + "0"))
        #expect(!token.verify(""))
        #expect(!token.verify(value.uppercased()))
        #expect(!token.verify(" " + value))
    }

    @Test func readableTokenFileIsRefusedWithTheFix() throws {
        let dir = try AuthorityTestDirectory()
        _ = try AdminToken.loadOrCreate(in: dir.data)
        dir.chmod("admin.token", 0o644)
        let error = #expect(throws: AuthorityError.self) { try AdminToken.loadOrCreate(in: dir.data) }
        #expect(error == .insecurePermissions(path: dir.path("admin.token"), mode: 0o644))
        #expect(error?.description.contains("chmod 600 \(dir.path("admin.token"))") == true)
    }

    @Test func malformedTokenFileIsRefused() throws {
        let dir = try AuthorityTestDirectory()
        _ = try AdminToken.loadOrCreate(in: dir.data)
        try dir.overwrite("admin.token", "short\n")
        let error = #expect(throws: AuthorityError.self) { try AdminToken.load(in: dir.data) }
        guard case .malformed(let path, _)? = error else { Issue.record("\(String(describing: error))"); return }
        #expect(path == dir.path("admin.token"))
    }

    @Test func descriptionNeverShowsTheToken() throws {
        let dir = try AuthorityTestDirectory()
        let token = try AdminToken.loadOrCreate(in: dir.data)
        #expect(!"\(token)".contains(token.value))
    }
}
