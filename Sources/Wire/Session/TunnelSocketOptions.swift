#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// Socket options for the connection that carries a session.
public enum TunnelSocketOptions {
    /// TCP_NOTSENT_LOWAT: the socket reports itself writable only while less
    /// than this much unsent data sits in the kernel.
    ///
    /// Without it the kernel's send buffer (auto-tuned to megabytes) swallows
    /// whatever the multiplexer writes, and a stream that starts late queues
    /// behind seconds of another stream's data: round-robin and "control
    /// frames first" would only order bytes that are already far back in the
    /// line. With it, the backlog stays in the multiplexer, where scheduling
    /// applies, while the kernel still holds enough to keep a long link busy
    /// (TCP sends what it has in flight regardless of this mark).
    public static let notSentLowWatermark = ChannelOptions.Types.SocketOption(
        level: SocketOptionLevel(IPPROTO_TCP), name: SocketOptionName(TCP_NOTSENT_LOWAT))

    /// The value the agents use: 128 KiB.
    public static let notSentLowWatermarkBytes: SocketOptionValue = 128 * 1024
}
