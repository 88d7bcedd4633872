/// One DNS message (RFC 1035 §4.1): header, question and the three record
/// sections. Values only: ``DNSMessageDecoder`` reads one from bytes a peer
/// sent, ``DNSMessageEncoder`` writes one; neither does I/O.
public struct DNSMessage: Hashable, Sendable {
    public var id: UInt16
    public var flags: DNSFlags
    public var questions: [DNSQuestion]
    public var answers: [DNSRecord]
    public var authorities: [DNSRecord]
    public var additionals: [DNSRecord]

    public init(
        id: UInt16, flags: DNSFlags, questions: [DNSQuestion] = [], answers: [DNSRecord] = [],
        authorities: [DNSRecord] = [], additionals: [DNSRecord] = []
    ) {
        self.id = id
        self.flags = flags
        self.questions = questions
        self.answers = answers
        self.authorities = authorities
        self.additionals = additionals
    }

    /// A standard recursive query for `name` and `type` in class IN.
    public static func query(id: UInt16, name: DNSDomainName, type: DNSRecordType) -> DNSMessage {
        DNSMessage(id: id, flags: DNSFlags(recursionDesired: true), questions: [DNSQuestion(name: name, type: type)])
    }
}

/// The header's second 16 bits (RFC 1035 §4.1.1). Z is kept as read so a
/// message re-encodes to the same bytes.
public struct DNSFlags: Hashable, Sendable {
    public var isResponse = false
    public var opcode: UInt8 = 0
    public var authoritative = false
    public var truncated = false
    public var recursionDesired = false
    public var recursionAvailable = false
    public var z: UInt8 = 0
    public var responseCode = DNSResponseCode.noError

    public init(
        isResponse: Bool = false, authoritative: Bool = false, truncated: Bool = false,
        recursionDesired: Bool = false, recursionAvailable: Bool = false, responseCode: DNSResponseCode = .noError
    ) {
        self.isResponse = isResponse
        self.authoritative = authoritative
        self.truncated = truncated
        self.recursionDesired = recursionDesired
        self.recursionAvailable = recursionAvailable
        self.responseCode = responseCode
    }

    init(bits: UInt16) {
        isResponse = bits & 0x8000 != 0
        opcode = UInt8((bits >> 11) & 0x0F)
        authoritative = bits & 0x0400 != 0
        truncated = bits & 0x0200 != 0
        recursionDesired = bits & 0x0100 != 0
        recursionAvailable = bits & 0x0080 != 0
        z = UInt8((bits >> 4) & 0x07)
        responseCode = DNSResponseCode(rawValue: UInt8(bits & 0x0F))
    }

    var bits: UInt16 {
        var bits = UInt16(opcode & 0x0F) << 11 | UInt16(z & 0x07) << 4 | UInt16(responseCode.rawValue & 0x0F)
        if isResponse { bits |= 0x8000 }
        if authoritative { bits |= 0x0400 }
        if truncated { bits |= 0x0200 }
        if recursionDesired { bits |= 0x0100 }
        if recursionAvailable { bits |= 0x0080 }
        return bits
    }
}

/// RCODE (RFC 1035 §4.1.1); a struct so codes this file does not name survive.
public struct DNSResponseCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)

    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formatError: "FORMERR"
        case .serverFailure: "SERVFAIL"
        case .nameError: "NXDOMAIN"
        case .notImplemented: "NOTIMP"
        case .refused: "REFUSED"
        default: "RCODE \(rawValue)"
        }
    }
}

/// A record type (RFC 1035 §3.2.2); a struct so unknown types survive.
public struct DNSRecordType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let txt = DNSRecordType(rawValue: 16)

    public var description: String {
        switch self {
        case .a: "A"
        case .cname: "CNAME"
        case .txt: "TXT"
        default: "TYPE\(rawValue)"
        }
    }
}

/// One entry of the question section.
public struct DNSQuestion: Hashable, Sendable {
    public var name: DNSDomainName
    public var type: DNSRecordType
    /// 1 is IN, the only class Portico asks about.
    public var recordClass: UInt16

    public init(name: DNSDomainName, type: DNSRecordType, recordClass: UInt16 = DNSRecord.classIN) {
        self.name = name
        self.type = type
        self.recordClass = recordClass
    }
}

/// One resource record (RFC 1035 §4.1.3). TXT and CNAME data are parsed;
/// any other type keeps its RDATA as bytes.
public struct DNSRecord: Hashable, Sendable {
    public static let classIN: UInt16 = 1

    public enum RecordData: Hashable, Sendable {
        /// The record's character-strings (RFC 1035 §3.3.14), each 0 to 255 bytes.
        case txt([[UInt8]])
        case cname(DNSDomainName)
        case other(type: DNSRecordType, [UInt8])
    }

    public var name: DNSDomainName
    public var recordClass: UInt16
    public var ttl: UInt32
    public var data: RecordData

    public init(name: DNSDomainName, recordClass: UInt16 = DNSRecord.classIN, ttl: UInt32, data: RecordData) {
        self.name = name
        self.recordClass = recordClass
        self.ttl = ttl
        self.data = data
    }

    public var type: DNSRecordType {
        switch data {
        case .txt: .txt
        case .cname: .cname
        case .other(let type, _): type
        }
    }

    /// A TXT record with `text`, cut into character-strings of at most 255
    /// bytes (how a zone file writes a longer value).
    public static func txt(_ name: DNSDomainName, _ text: String, ttl: UInt32 = 60) -> DNSRecord {
        let bytes = Array(text.utf8)
        let strings = stride(from: 0, to: max(bytes.count, 1), by: 255).map {
            Array(bytes[$0..<min($0 + 255, bytes.count)])
        }
        return DNSRecord(name: name, ttl: ttl, data: .txt(strings))
    }

    /// A TXT record's strings joined into one value, as RFC 7208 §3.3 reads
    /// them (no separator); nil for other types.
    public var joinedText: [UInt8]? {
        guard case .txt(let strings) = data else { return nil }
        return strings.flatMap { $0 }
    }
}
