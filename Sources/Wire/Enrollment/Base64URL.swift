// base64url without padding (RFC 4648 §5), strict: the decoder accepts only the
// canonical encoding of some byte string. Foundation's decoder wants padding and
// the standard alphabet, and tolerates non-zero unused bits in the last
// character; tolerating them would let one changed character go undetected by
// the join token's checksum (the bytes would decode the same).

/// Strict, unpadded base64url.
public enum Base64URL {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    /// Why text did not decode.
    public enum DecodeError: Error, Equatable {
        /// The character at this offset is not in the alphabet, or carries stray low bits.
        case invalidCharacter(offset: Int)
        /// One character left over: no byte string encodes to this length.
        case danglingCharacter
    }

    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count * 4 + 2) / 3)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            var group = 0 as UInt32
            for (shift, byte) in zip([16, 8, 0], chunk) { group |= UInt32(byte) << UInt32(shift) }
            for position in 0...chunk.count {
                out.append(alphabet[Int((group >> UInt32(18 - 6 * position)) & 0x3f)])
            }
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func decode(_ text: Substring.UTF8View) throws(DecodeError) -> [UInt8] {
        let characters = Array(text)
        if let offset = characters.firstIndex(where: { sextet($0) == nil }) { throw .invalidCharacter(offset: offset) }
        guard characters.count % 4 != 1 else { throw .danglingCharacter }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count * 3 / 4)
        var index = 0
        while index < characters.count {
            let chunk = characters[index..<min(index + 4, characters.count)]
            var group = 0 as UInt32
            for (position, character) in chunk.enumerated() {
                group |= UInt32(sextet(character) ?? 0) << UInt32(18 - 6 * position)
            }
            let byteCount = chunk.count - 1
            // The bits below the last whole byte must be zero in a canonical encoding.
            guard byteCount == 3 || group & (0xff_ffff >> UInt32(8 * byteCount)) == 0 else {
                throw .invalidCharacter(offset: index + chunk.count - 1)
            }
            for position in 0..<byteCount { out.append(UInt8(truncatingIfNeeded: group >> UInt32(16 - 8 * position))) }
            index += 4
        }
        return out
    }

    private static func sextet(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
