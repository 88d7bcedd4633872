/// The life of a stream, named as in the specification's state diagram
/// ([STREAM-4]). Pure: it says whether an event is allowed and where it
/// leads; the multiplexer decides what to send.
///
/// ```
///            OPEN sent/received
///                  │
///                  ▼
///   FIN sent ┌── open ──┐ FIN received
///            ▼          ▼
///   halfClosedLocal  halfClosedRemote
///            │          │
///  FIN recv  └─► closed ◄┘ FIN sent        (RST either way: closed)
/// ```
enum StreamState: Hashable {
    case open
    case halfClosedLocal
    case halfClosedRemote
    case closed

    var canSend: Bool { self == .open || self == .halfClosedRemote }
    var canReceive: Bool { self == .open || self == .halfClosedLocal }

    /// Applies a FIN we send; false if our side was already finished.
    mutating func sendFIN() -> Bool {
        switch self {
        case .open: self = .halfClosedLocal
        case .halfClosedRemote: self = .closed
        case .halfClosedLocal, .closed: return false
        }
        return true
    }

    /// Applies a FIN we receive; false if the peer's side was already finished.
    mutating func receiveFIN() -> Bool {
        switch self {
        case .open: self = .halfClosedRemote
        case .halfClosedLocal: self = .closed
        case .halfClosedRemote, .closed: return false
        }
        return true
    }

    mutating func reset() { self = .closed }
}
