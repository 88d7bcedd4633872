import Wire

/// HMAC-SHA256 (RFC 2104) over Wire's SHA-256: the domain proof's only keyed
/// hash, small enough to write out rather than widen Wire's OpenSSL surface.
enum HMACSHA256 {
    static let blockSize = 64

    static func authenticate(_ message: [UInt8], key: [UInt8]) -> [UInt8] {
        // RFC 2104 §2: a key longer than the block is hashed first, then padded with zeros.
        var block = key.count > blockSize ? SHA256.hash(key) : key
        block += [UInt8](repeating: 0, count: blockSize - block.count)
        let inner = SHA256.hash(block.map { $0 ^ 0x36 } + message)
        return SHA256.hash(block.map { $0 ^ 0x5C } + inner)
    }
}
