import NIOCore

/// A cursor over a length-delimited structure of which only a prefix may have
/// arrived yet.
///
/// Two bounds are tracked separately: `declaredRemaining` is what the enclosing
/// length field promised, `buffer` is what has actually been received. Reading
/// past the declared bound is a protocol violation (`malformed`); reading past
/// the received bytes but within the declared bound only means the peer has
/// not sent everything yet (`needMoreData`). This lets peekers reject garbage
/// as soon as it shows up instead of waiting for a whole message, and makes
/// every nested length get checked against its parent before use.
struct PeekReader {
    /// Why a read did not return a value.
    enum Stop: Error, Equatable {
        case needMoreData
        case malformed(String)
        /// The structure is larger than the peeker's limit.
        case tooLarge
    }

    private(set) var buffer: ByteBuffer
    private(set) var declaredRemaining: Int

    init(buffer: ByteBuffer, declaredLength: Int) {
        self.buffer = buffer
        self.declaredRemaining = declaredLength
    }

    /// True once every declared byte has been read.
    var isAtEnd: Bool { declaredRemaining == 0 }

    mutating func readInteger<T: FixedWidthInteger>(as type: T.Type = T.self, _ what: String) throws(Stop) -> T {
        let size = MemoryLayout<T>.size
        try reserve(size, what)
        // `reserve` proved `size` readable bytes, so this cannot return nil.
        guard let value = buffer.readInteger(as: T.self) else { throw .needMoreData }
        declaredRemaining -= size
        return value
    }

    /// Reads a 24-bit big-endian length, as used by TLS handshake headers.
    mutating func readUInt24(_ what: String) throws(Stop) -> Int {
        try reserve(3, what)
        guard let high = buffer.readInteger(as: UInt8.self), let low = buffer.readInteger(as: UInt16.self) else {
            throw .needMoreData
        }
        declaredRemaining -= 3
        return Int(high) << 16 | Int(low)
    }

    /// Reads exactly `count` bytes, all of which must have arrived.
    mutating func readBytes(_ count: Int, _ what: String) throws(Stop) -> [UInt8] {
        try reserve(count, what)
        guard let bytes = buffer.readBytes(length: count) else { throw .needMoreData }
        declaredRemaining -= count
        return bytes
    }

    /// Skips `count` bytes, all of which must have arrived.
    mutating func skip(_ count: Int, _ what: String) throws(Stop) {
        try reserve(count, what)
        buffer.moveReaderIndex(forwardBy: count)
        declaredRemaining -= count
    }

    /// Splits off a nested structure of `length` declared bytes. The child may
    /// hold only a prefix of them; the parent moves past all of them, so any
    /// later parent read asks for more data if the child was incomplete.
    mutating func readChild(length: Int, _ what: String) throws(Stop) -> PeekReader {
        guard length >= 0, length <= declaredRemaining else {
            throw .malformed("\(what) length \(length) overruns its enclosing structure (\(declaredRemaining) bytes left)")
        }
        let received = min(length, buffer.readableBytes)
        guard let slice = buffer.readSlice(length: received) else { throw .needMoreData }
        declaredRemaining -= length
        return PeekReader(buffer: slice, declaredLength: length)
    }

    /// Reads a big-endian length of `prefixBytes` bytes (1 or 2) and the
    /// structure it delimits.
    mutating func readLengthPrefixed(prefixBytes: Int, _ what: String) throws(Stop) -> PeekReader {
        let length: Int
        if prefixBytes == 1 {
            length = Int(try readInteger(as: UInt8.self, "\(what) length"))
        } else {
            length = Int(try readInteger(as: UInt16.self, "\(what) length"))
        }
        return try readChild(length: length, what)
    }

    private func reserve(_ count: Int, _ what: String) throws(Stop) {
        guard count <= declaredRemaining else {
            throw .malformed("\(what) needs \(count) bytes but its enclosing structure has \(declaredRemaining) left")
        }
        guard count <= buffer.readableBytes else { throw .needMoreData }
    }
}
