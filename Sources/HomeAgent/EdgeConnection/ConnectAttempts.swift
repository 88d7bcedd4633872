import NIOCore
import Synchronization

/// What each connection attempt's channel initializer built, kept per channel.
///
/// NIO's `ClientBootstrap.connect(host:port:)` tries every address of a name
/// (IPv6 and IPv4, Happy Eyeballs) and runs the channel initializer once per
/// attempt, before it knows which one connects. State built there belongs to
/// that attempt's channel: taking it from a shared promise would hand the
/// caller a losing attempt's session (`localhost` as `::1` while the edge
/// listens on 127.0.0.1 only) while the winner talks to the edge unheard.
final class ConnectAttempts<Value: Sendable>: Sendable {
    private let values = Mutex<[ObjectIdentifier: Value]>([:])

    /// Records what `channel`'s initializer built.
    func record(_ value: Value, for channel: any Channel) {
        values.withLock { $0[ObjectIdentifier(channel)] = value }
    }

    /// What the initializer of `channel` (the attempt that connected) built.
    func value(for channel: any Channel) -> Value? {
        values.withLock { $0[ObjectIdentifier(channel)] }
    }

    /// Every attempt's state, for completing what the losers left open.
    var all: [Value] {
        values.withLock { Array($0.values) }
    }
}
