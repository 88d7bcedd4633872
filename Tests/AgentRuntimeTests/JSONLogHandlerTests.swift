import Foundation
import Logging
import Testing
@testable import AgentRuntime

@Suite("JSON log lines")
struct JSONLogHandlerTests {
    @Test("numbers and booleans logged as values stay numbers and booleans; nested metadata keeps its shape; text stays text")
    func typedMetadata() throws {
        let metadata: Logger.Metadata = [
            "port": .stringConvertible(8443),
            "ratio": .stringConvertible(0.5),
            "draining": .stringConvertible(true),
            "home": "alice",
            "digits": "123",
            "forwards": .array(["web", .stringConvertible(2)]),
            "limits": .dictionary(["kbps": .stringConvertible(20_000)]),
        ]
        let object = metadata.mapValues(JSONLogHandler.json)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        #expect(
            String(decoding: data, as: UTF8.self)
                == #"{"digits":"123","draining":true,"forwards":["web",2],"home":"alice","limits":{"kbps":20000},"port":8443,"ratio":0.5}"#)
    }
}
