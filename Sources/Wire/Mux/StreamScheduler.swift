import NIOCore

/// Round-robin order of the streams that have DATA or a FIN ready to send.
///
/// The scheduler serves the first stream one frame, then moves it to the back,
/// so every ready stream gets a frame per round whatever its backlog: one
/// bulk transfer cannot starve an interactive stream ([SCHED-1]).
struct StreamScheduler {
    private var order = CircularBuffer<StreamID>(initialCapacity: 16)
    private var members = Set<StreamID>()

    var isEmpty: Bool { order.isEmpty }
    var first: StreamID? { order.first }

    /// Adds `id` at the back unless it is already waiting.
    mutating func enqueue(_ id: StreamID) {
        if members.insert(id).inserted { order.append(id) }
    }

    mutating func popFirst() -> StreamID? {
        guard let id = order.popFirst() else { return nil }
        members.remove(id)
        return id
    }
}
