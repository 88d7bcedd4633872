import NIOCore

extension ByteBuffer {
    /// Whether these bytes keep much more memory alive than they hold: a
    /// slice of a large receive buffer keeps the whole buffer.
    var isSparse: Bool {
        storageCapacity > 2 * readableBytes + 4096
    }

    /// The readable bytes in a buffer of their own size.
    func compacted() -> ByteBuffer {
        var copy = ByteBufferAllocator().buffer(capacity: readableBytes)
        copy.writeImmutableBuffer(self)
        return copy
    }
}
