/// Reads a DNS message from bytes a peer sent (RFC 1035 §4.1).
///
/// Everything here is peer input, so every read is bounds-checked and every
/// count is checked against the bytes left before anything is allocated: a
/// header announcing 65,535 answers in a 20-byte datagram is refused, not
/// reserved for. Compressed names (§4.1.4) may only point backwards, each
/// pointer before the previous one, so a pointer loop cannot exist by
/// construction, and a name stops at 255 bytes. Malformed input is a
/// ``DNSParseError``, never a trap.
public enum DNSMessageDecoder {
    /// The smallest a question can be: the root name, type and class.
    static let minimumQuestionLength = 5
    /// The smallest a record can be: the root name, type, class, TTL, RDLENGTH.
    static let minimumRecordLength = 11

    public static func decode(_ bytes: [UInt8]) throws(DNSParseError) -> DNSMessage {
        var reader = Reader(bytes: bytes)
        let id = try reader.u16()
        let flags = DNSFlags(bits: try reader.u16())
        let counts = [try reader.u16(), try reader.u16(), try reader.u16(), try reader.u16()]
        // Each entry needs a minimum number of bytes, so a count larger than the
        // rest of the message could hold is a lie, refused before any allocation.
        let needed = Int(counts[0]) * minimumQuestionLength + Int(counts[1...].reduce(0) { $0 + Int($1) }) * minimumRecordLength
        guard needed <= reader.remaining else {
            throw .countsExceedMessage(counts: counts.map(Int.init), bytes: bytes.count)
        }
        var message = DNSMessage(id: id, flags: flags)
        for _ in 0..<counts[0] {
            let name = try reader.name()
            message.questions.append(
                DNSQuestion(name: name, type: DNSRecordType(rawValue: try reader.u16()), recordClass: try reader.u16()))
        }
        for _ in 0..<counts[1] { message.answers.append(try reader.record()) }
        for _ in 0..<counts[2] { message.authorities.append(try reader.record()) }
        for _ in 0..<counts[3] { message.additionals.append(try reader.record()) }
        // Bytes after the last record are ignored, as resolvers do.
        return message
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        var remaining: Int { bytes.count - offset }

        mutating func u8() throws(DNSParseError) -> UInt8 {
            guard offset < bytes.count else { throw .truncated(at: offset) }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func u16() throws(DNSParseError) -> UInt16 {
            UInt16(try u8()) << 8 | UInt16(try u8())
        }

        mutating func u32() throws(DNSParseError) -> UInt32 {
            UInt32(try u16()) << 16 | UInt32(try u16())
        }

        mutating func take(_ count: Int) throws(DNSParseError) -> [UInt8] {
            guard count <= remaining else { throw .truncated(at: bytes.count) }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        /// A possibly compressed name starting at `offset`; `offset` ends
        /// after the name's bytes here (after its first pointer, if any).
        mutating func name() throws(DNSParseError) -> DNSDomainName {
            var labels: [[UInt8]] = []
            var wireLength = 1
            var position = offset
            var resume: Int?
            // Each pointer must target a byte before this bound, which then
            // becomes the bound: the positions jumped to strictly decrease,
            // so following pointers always ends.
            var pointerBound = offset
            while true {
                guard position < bytes.count else { throw .truncated(at: position) }
                let length = bytes[position]
                switch length & 0xC0 {
                case 0x00:
                    if length == 0 {
                        offset = resume ?? position + 1
                        do { return try DNSDomainName(labels: labels) } catch { throw .invalidName(error) }
                    }
                    let count = Int(length)
                    guard position + 1 + count <= bytes.count else { throw .truncated(at: bytes.count) }
                    wireLength += 1 + count
                    guard wireLength <= DNSDomainName.maximumWireLength else { throw .nameTooLong(at: offset) }
                    labels.append(Array(bytes[position + 1..<position + 1 + count]))
                    position += 1 + count
                case 0xC0:
                    guard position + 1 < bytes.count else { throw .truncated(at: position) }
                    let target = Int(length & 0x3F) << 8 | Int(bytes[position + 1])
                    guard target < pointerBound else { throw .badPointer(at: position, target: target) }
                    if resume == nil { resume = position + 2 }
                    pointerBound = target
                    position = target
                default:
                    // 0x40 and 0x80 are the extended and reserved label types (RFC 6891 §5).
                    throw .unknownLabelType(at: position, length)
                }
            }
        }

        mutating func record() throws(DNSParseError) -> DNSRecord {
            let name = try name()
            let type = DNSRecordType(rawValue: try u16())
            let recordClass = try u16()
            let ttl = try u32()
            let length = Int(try u16())
            guard length <= remaining else { throw .truncated(at: bytes.count) }
            let end = offset + length
            let data: DNSRecord.RecordData
            switch type {
            case .txt:
                var strings: [[UInt8]] = []
                // RFC 1035 §3.3.14: one or more character-strings filling RDATA exactly.
                guard length > 0 else { throw .badRecordData(type: type, at: offset) }
                while offset < end {
                    let count = Int(try u8())
                    guard offset + count <= end else { throw .badRecordData(type: type, at: offset) }
                    strings.append(try take(count))
                }
                data = .txt(strings)
            case .cname:
                let start = offset
                let target = try self.name()
                guard offset == end else { throw .badRecordData(type: type, at: start) }
                data = .cname(target)
            default:
                data = .other(type: type, try take(length))
            }
            return DNSRecord(name: name, recordClass: recordClass, ttl: ttl, data: data)
        }
    }
}

/// Why bytes are not a DNS message. Offsets help whoever reads a capture.
public enum DNSParseError: Error, Hashable, Sendable, CustomStringConvertible {
    case truncated(at: Int)
    case countsExceedMessage(counts: [Int], bytes: Int)
    case badPointer(at: Int, target: Int)
    case nameTooLong(at: Int)
    case unknownLabelType(at: Int, UInt8)
    case invalidName(DNSNameError)
    case badRecordData(type: DNSRecordType, at: Int)

    public var description: String {
        switch self {
        case .truncated(let offset): "the message ends early (at byte \(offset))"
        case .countsExceedMessage(let counts, let bytes):
            "the header announces \(counts) entries, more than \(bytes) bytes can hold"
        case .badPointer(let offset, let target):
            "the compression pointer at byte \(offset) targets byte \(target), not strictly before the name (a loop or a forward reference)"
        case .nameTooLong(let offset): "the name at byte \(offset) is longer than 255 bytes"
        case .unknownLabelType(let offset, let byte): "unknown label type 0x\(String(byte, radix: 16)) at byte \(offset)"
        case .invalidName(let error): "\(error)"
        case .badRecordData(let type, let offset): "the \(type) record data at byte \(offset) does not fill its length exactly"
        }
    }
}
