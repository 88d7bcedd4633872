/// A connection error: the peer broke the protocol and the session must end
/// with GOAWAY carrying `code` ([ERR-2]). `reason` is for logs, and is sent as
/// GOAWAY debug text.
public struct WireProtocolError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: WireErrorCode
    public var reason: String

    public init(_ code: WireErrorCode, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public var description: String { "\(code): \(reason)" }
}
