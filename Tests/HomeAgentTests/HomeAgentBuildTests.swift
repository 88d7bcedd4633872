import Testing
@testable import HomeAgent

@Test func homeAgentCommandIsImportable() {
    #expect(HomeAgentCommand.configuration.commandName == "homeagent")
}
