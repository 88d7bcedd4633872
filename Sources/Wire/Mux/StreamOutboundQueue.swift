import NIOCore

/// A stream's outgoing bytes: written, then flushed, then taken by the
/// scheduler one DATA frame at a time; plus the promise of a FIN queued
/// behind them. Only bytes and promises: when a FIN is due is the state
/// machine's call.
struct StreamOutboundQueue {
    struct PendingWrite {
        var bytes: ByteBuffer
        var promise: EventLoopPromise<Void>?
    }

    private var unflushed = CircularBuffer<PendingWrite>(initialCapacity: 4)
    private var flushed = CircularBuffer<PendingWrite>(initialCapacity: 4)
    private var unflushedBytes = 0
    private(set) var flushedBytes = 0
    /// Completes when our FIN goes out (`close(mode: .output)`).
    var finPromise: EventLoopPromise<Void>?

    /// Bytes queued that the scheduler has not sent yet.
    var queuedBytes: Int { unflushedBytes + flushedBytes }
    var hasUnflushed: Bool { !unflushed.isEmpty }

    mutating func append(_ bytes: ByteBuffer, promise: EventLoopPromise<Void>?) {
        if bytes.readableBytes == 0 {
            // Nothing to send, but the promise must still complete in order:
            // with the write before it, or now if there is none. (A queued
            // empty write would never be taken by the scheduler, which only
            // looks at byte counts.)
            return chainEmptyWrite(promise)
        }
        unflushed.append(PendingWrite(bytes: bytes, promise: promise))
        unflushedBytes += bytes.readableBytes
    }

    mutating func flush() {
        while let write = unflushed.popFirst() { flushed.append(write) }
        flushedBytes += unflushedBytes
        unflushedBytes = 0
    }

    /// Takes up to `limit` flushed bytes for one DATA frame; several small
    /// writes are joined so that a frame is not spent on each.
    mutating func dequeue(upTo limit: Int, allocator: ByteBufferAllocator) -> (ByteBuffer, [EventLoopPromise<Void>]) {
        guard var first = flushed.popFirst() else { return (allocator.buffer(capacity: 0), []) }
        if first.bytes.readableBytes > limit, let slice = first.bytes.readSlice(length: limit) {
            flushed.prepend(first)
            flushedBytes -= limit
            return (slice, [])
        }
        var promises: [EventLoopPromise<Void>] = []
        if let promise = first.promise { promises.append(promise) }
        var frame = first.bytes
        var joined = false
        while let next = flushed.first, frame.readableBytes + next.bytes.readableBytes <= limit {
            flushed.removeFirst()
            if !joined {
                var buffer = allocator.buffer(capacity: min(limit, frame.readableBytes + flushedBytes))
                buffer.writeImmutableBuffer(frame)
                frame = buffer
                joined = true
            }
            frame.writeImmutableBuffer(next.bytes)
            if let promise = next.promise { promises.append(promise) }
        }
        flushedBytes -= frame.readableBytes
        return (frame, promises)
    }

    /// Fails every queued write and the FIN's promise, and empties the queue.
    mutating func failAll(_ error: Error) {
        while let write = unflushed.popFirst() { write.promise?.fail(error) }
        while let write = flushed.popFirst() { write.promise?.fail(error) }
        unflushedBytes = 0
        flushedBytes = 0
        finPromise?.fail(error)
        finPromise = nil
    }

    private mutating func chainEmptyWrite(_ promise: EventLoopPromise<Void>?) {
        guard let promise else { return }
        if !unflushed.isEmpty {
            Self.chain(promise, after: &unflushed)
        } else if !flushed.isEmpty {
            Self.chain(promise, after: &flushed)
        } else {
            promise.succeed()
        }
    }

    private static func chain(_ promise: EventLoopPromise<Void>, after queue: inout CircularBuffer<PendingWrite>) {
        let last = queue.index(before: queue.endIndex)
        if let previous = queue[last].promise {
            previous.futureResult.cascade(to: promise)
        } else {
            queue[last].promise = promise
        }
    }
}
