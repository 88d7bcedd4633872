import Testing
@testable import EdgeAgent

@Test func edgeAgentCommandIsImportable() {
    #expect(EdgeAgentCommand.configuration.commandName == "edgeagent")
}
