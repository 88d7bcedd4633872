import Dispatch
import Logging

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A drain that the operator can cut short: the first SIGTERM or SIGINT
/// starts a graceful shutdown (the service group's), and streams in flight
/// get their drain timeout; another one while that drain runs means "now",
/// as with most servers: `cut` ends what is left at once (streams are
/// reset, their clients see it) and the shutdown goes on in order.
public enum DrainCut {
    /// Runs `drain`; when `listening`, a SIGTERM or SIGINT that arrives
    /// before it ends runs `cut` (once), and `drain` is still awaited. Only
    /// for a drain a service group started from one of these signals, which
    /// it had trapped (see below). Tests
    /// that run agents in their own process pass `listening: false`: the
    /// signals are the test runner's.
    public static func drain(
        listening: Bool, logger: Logger,
        _ drain: @escaping @Sendable () async -> Void, cut: @escaping @Sendable () async -> Void
    ) async {
        guard listening else { return await drain() }
        let (signals, continuation) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
        // No `signal(_, SIG_IGN)` here, unlike a first listener: the group
        // trapped both signals when it started, and on Linux libdispatch
        // delivers them through a handler of its own that such a call would
        // replace, silencing every source of the signal, the group's too.
        let sources = [SIGTERM, SIGINT].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            continuation.finish()
        }
        logger.info("draining; another SIGTERM or SIGINT ends it at once")
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await drain() }
            group.addTask {
                for await number in signals {
                    logger.notice(
                        "second signal: not waiting for streams in flight any longer",
                        metadata: ["signal": number == SIGINT ? "SIGINT" : "SIGTERM"])
                    await cut()
                    return
                }
            }
            // The drain ends, cut or not; the listener has nothing left to do.
            await group.next()
            continuation.finish()
            await group.waitForAll()
        }
    }
}
