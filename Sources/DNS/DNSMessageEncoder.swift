/// Writes a DNS message (RFC 1035 §4.1), compressing names (§4.1.4): a name
/// whose tail was written before points at it. Compression is only applied
/// to owner names and CNAME targets, the names RFC 3597 §4 allows it for.
public enum DNSMessageEncoder {
    /// The encoded message, or an error when a section holds more than
    /// 65,535 entries or a character-string more than 255 bytes.
    public static func encode(_ message: DNSMessage) throws(DNSEncodeError) -> [UInt8] {
        var writer = Writer()
        writer.u16(message.id)
        writer.u16(message.flags.bits)
        for section in [message.questions.count, message.answers.count, message.authorities.count, message.additionals.count] {
            guard section <= Int(UInt16.max) else { throw .tooManyEntries(section) }
            writer.u16(UInt16(section))
        }
        for question in message.questions {
            writer.name(question.name)
            writer.u16(question.type.rawValue)
            writer.u16(question.recordClass)
        }
        for record in message.answers + message.authorities + message.additionals {
            try writer.record(record)
        }
        return writer.bytes
    }

    struct Writer {
        var bytes: [UInt8] = []
        /// Where each name suffix already written starts, for pointers.
        var suffixes: [ArraySlice<[UInt8]>: Int] = [:]

        mutating func u16(_ value: UInt16) {
            bytes.append(UInt8(value >> 8))
            bytes.append(UInt8(value & 0xFF))
        }

        mutating func u32(_ value: UInt32) {
            u16(UInt16(value >> 16))
            u16(UInt16(value & 0xFFFF))
        }

        mutating func name(_ name: DNSDomainName) {
            let labels = name.labels
            for index in labels.indices {
                let suffix = labels[index...]
                if let target = suffixes[suffix] {
                    u16(0xC000 | UInt16(target))
                    return
                }
                // Pointers carry 14 bits of offset.
                if bytes.count < 0x4000 { suffixes[suffix] = bytes.count }
                bytes.append(UInt8(labels[index].count))
                bytes.append(contentsOf: labels[index])
            }
            bytes.append(0)
        }

        mutating func record(_ record: DNSRecord) throws(DNSEncodeError) {
            name(record.name)
            u16(record.type.rawValue)
            u16(record.recordClass)
            u32(record.ttl)
            let lengthAt = bytes.count
            u16(0)
            switch record.data {
            case .txt(let strings):
                for string in strings {
                    guard string.count <= 255 else { throw .characterStringTooLong(string.count) }
                    bytes.append(UInt8(string.count))
                    bytes.append(contentsOf: string)
                }
            case .cname(let target):
                name(target)
            case .other(_, let data):
                bytes.append(contentsOf: data)
            }
            let length = bytes.count - lengthAt - 2
            guard length <= Int(UInt16.max) else { throw .recordDataTooLong(length) }
            bytes[lengthAt] = UInt8(length >> 8)
            bytes[lengthAt + 1] = UInt8(length & 0xFF)
        }
    }
}

/// Why a message cannot be encoded.
public enum DNSEncodeError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooManyEntries(Int)
    case characterStringTooLong(Int)
    case recordDataTooLong(Int)

    public var description: String {
        switch self {
        case .tooManyEntries(let count): "a section has \(count) entries; at most 65,535 fit"
        case .characterStringTooLong(let count): "a character-string has \(count) bytes; at most 255 fit"
        case .recordDataTooLong(let count): "record data has \(count) bytes; at most 65,535 fit"
        }
    }
}
