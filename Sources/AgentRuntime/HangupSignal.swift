import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGHUP, the operator's "reload", as a stream of events for both agents'
/// reload services. Trapping starts in `init` (SIGHUP's default action ends
/// the process), so create it before announcing readiness. SIGHUPs that
/// arrive while the previous one is still being handled fold into one
/// pending event: a reload after the last signal is all that matters.
///
/// `@unchecked Sendable`: `source` is set once in `init` and afterwards only
/// cancelled, which Dispatch allows from any thread.
public final class HangupSignal: @unchecked Sendable {
    /// One element per SIGHUP (pending ones folded); ends when `stop()` is called.
    public let events: AsyncStream<Void>
    private let source: any DispatchSourceSignal

    public init() {
        let (events, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        self.events = events
        // Dispatch sees the signal only if the default action does not run first.
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.setCancelHandler { continuation.finish() }
        source.resume()
    }

    /// Stops listening; SIGHUP stays ignored rather than ending the process.
    public func stop() {
        source.cancel()
    }

    deinit {
        source.cancel()
    }
}
