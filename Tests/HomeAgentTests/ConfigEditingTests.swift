import Testing
@testable import HomeAgent

/// The edits behind `homeagent expose` / `unexpose`: whole new values, validated, order kept.
@Suite struct ConfigEditingTests {
    typealias F = ConfigFixture

    let db = HomeConfig.Forward(name: "db", type: .tcp, target: F.address("127.0.0.1:5432"))

    @Test func addingAppendsTheForwardAtTheEnd() throws {
        let edited = try F.issueConfig.adding(forward: db)
        #expect(edited.forwards.map(\.name) == ["web", "app", "ssh", "db"])
        #expect(edited.forwards.last == db)
    }

    @Test func addingADuplicateNameIsRefusedAndLeavesTheOriginalAlone() {
        let original = F.issueConfig
        var clash = db
        clash.name = "ssh"
        #expect(F.configError { _ = try original.adding(forward: clash) }?.description
            == #"forwards[3] "ssh": duplicate forward name "ssh" (also forwards[2])"#)
        #expect(original == F.issueConfig)
    }

    @Test func addingAnInvalidForwardIsRefusedWithTheRuleItBreaks() {
        let noHostname = HomeConfig.Forward(name: "site", type: .http, target: F.address("127.0.0.1:80"))
        #expect(F.configError { _ = try F.issueConfig.adding(forward: noHostname) }
            == .invalid(location: #"forwards[3] "site""#, problem: "hostname is required for type http"))
    }

    @Test func removingDropsOnlyThatForwardAndKeepsTheOrder() throws {
        let edited = try F.issueConfig.removing(forwardNamed: "app")
        #expect(edited.forwards.map(\.name) == ["web", "ssh"])
    }

    @Test func removingAnAbsentForwardSaysWhichExist() {
        let error = F.configError { _ = try F.issueConfig.removing(forwardNamed: "db") }
        #expect(error == .noSuchForward(name: "db", existing: ["web", "app", "ssh"]))
        #expect(error?.description == #"no forward named "db" (forwards: web, app, ssh)"#)
        var empty = F.issueConfig
        empty.forwards = []
        #expect(F.configError { _ = try empty.removing(forwardNamed: "db") }?.description
            == #"no forward named "db" (there are no forwards)"#)
    }

    @Test func replacingKeepsThePositionAndMayRename() throws {
        var web = F.issueConfig.forwards[0]
        web.name = "blog"
        web.proxyProtocol = .v2
        let edited = try F.issueConfig.replacing(forwardNamed: "web", with: web)
        #expect(edited.forwards.map(\.name) == ["blog", "app", "ssh"])
        #expect(edited.forwards[0].proxyProtocol == .v2)
    }

    @Test func replacingIsRefusedForAnAbsentNameOrAClashingRename() {
        #expect(F.configError { _ = try F.issueConfig.replacing(forwardNamed: "db", with: db) }
            == .noSuchForward(name: "db", existing: ["web", "app", "ssh"]))
        var renamed = db
        renamed.name = "web"
        #expect(F.configError { _ = try F.issueConfig.replacing(forwardNamed: "ssh", with: renamed) }?.description
            == #"forwards[2] "web": duplicate forward name "web" (also forwards[0])"#)
    }

    @Test func exposeThenUnexposeThroughTheFileRoundTrips() throws {
        try F.withTemporaryDirectory { dir in
            let path = dir + "/home.yaml"
            try F.writeFile(dir + "/home.key", "key")
            try HomeConfigFile.save(F.issueConfig, to: path)
            try HomeConfigFile.save(try HomeConfigFile.load(path: path).adding(forward: db), to: path)
            #expect(try HomeConfigFile.load(path: path).forwards.map(\.name) == ["web", "app", "ssh", "db"])
            try HomeConfigFile.save(try HomeConfigFile.load(path: path).removing(forwardNamed: "web"), to: path)
            #expect(try HomeConfigFile.load(path: path).forwards.map(\.name) == ["app", "ssh", "db"])
        }
    }
}
