/// The outcome of peeking at the first bytes of a public connection.
///
/// Peekers never consume the caller's bytes: the edge keeps accumulating what
/// the client sent, asks again after every read, and forwards the exact same
/// bytes to the home once routing is decided. Failures are thrown as each
/// peeker's own typed error.
public enum PeekResult<Value: Sendable>: Sendable {
    /// The bytes so far are a valid prefix; read more and ask again.
    case needMoreData
    /// The message is complete and parsed.
    case complete(Value)
}

extension PeekResult: Equatable where Value: Equatable {}
extension PeekResult: Hashable where Value: Hashable {}

extension PeekResult {
    /// The parsed value, or `nil` while more data is needed.
    public var value: Value? {
        switch self {
        case .needMoreData: return nil
        case .complete(let value): return value
        }
    }
}
