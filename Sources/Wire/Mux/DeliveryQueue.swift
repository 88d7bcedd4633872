import NIOCore

/// Shares a session's paced receive allowance among its streams in turn.
///
/// Received bytes wait in their stream's buffer until the stream's reader
/// asks for them and the pacer has tokens. A stream that finds tokens while
/// nobody waits takes what it needs; otherwise it queues, and each wake-up
/// serves the queue round-robin, at most one `quantum` per stream per turn.
/// So one bulk stream cannot starve a stream that started later: from the
/// first wake-up after the newcomer queued, the two alternate ([SCHED-3]).
///
/// Invariant: while the queue is not empty, a wake-up is pending (or the
/// queue is being served), so no stream waits forever.
final class DeliveryQueue {
    let pacer: TrafficPacer
    private var waiting = CircularBuffer<StreamID>(initialCapacity: 8)
    private var queued = Set<StreamID>()
    /// The stream being served by a wake-up: it may take tokens although
    /// others wait, once.
    private var turn: StreamID?
    /// Asks a stream to deliver again (the multiplexer looks it up).
    private let resume: (StreamID) -> Void

    init(eventLoop: EventLoop, resume: @escaping (StreamID) -> Void) {
        self.resume = resume
        var serve: () -> Void = {}
        self.pacer = TrafficPacer(eventLoop: eventLoop, wake: { serve() })
        serve = { [weak self] in self?.serve() }
    }

    /// How many of the `wanted` buffered bytes stream `id` may hand to its
    /// reader now; 0 means it was queued and will be resumed.
    func allowance(_ wanted: Int, for id: StreamID) -> Int {
        guard pacer.isLimited else {
            pacer.spend(wanted)
            return wanted
        }
        if turn == id {
            turn = nil
        } else if !waiting.isEmpty {
            enqueue(id)
            return 0
        }
        let worth = min(wanted, pacer.quantum)
        let available = pacer.allowance()
        guard available >= worth else {
            enqueue(id)
            pacer.wait(for: worth)
            return 0
        }
        let granted = min(wanted, available, waiting.isEmpty ? .max : pacer.quantum)
        pacer.spend(granted)
        return granted
    }

    /// The stream ended: it no longer waits.
    func remove(_ id: StreamID) {
        guard queued.remove(id) != nil, let index = waiting.firstIndex(of: id) else { return }
        waiting.remove(at: index)
    }

    private func enqueue(_ id: StreamID) {
        guard queued.insert(id).inserted else { return }
        waiting.append(id)
    }

    /// One round over the streams that were waiting, while tokens last.
    private func serve() {
        var remaining = waiting.count
        while remaining > 0, let id = waiting.popFirst() {
            remaining -= 1
            queued.remove(id)
            turn = id
            resume(id)
            turn = nil
            if pacer.isLimited, pacer.allowance() < pacer.quantum { break }
        }
        if !waiting.isEmpty { pacer.wait(for: pacer.quantum) }
    }
}
