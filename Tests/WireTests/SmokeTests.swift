import Testing
@testable import Wire
@Test func versionIsSane() { #expect(WireVersion.minimum <= WireVersion.current) }
