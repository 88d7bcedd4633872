/// Builds ClientHello records byte by byte from RFC 8446 §4.1.2, so tests can
/// produce valid messages and break exactly one field at a time.
public struct ClientHelloBuilder: Sendable {
    public typealias Extension = (type: UInt16, data: [UInt8])

    public var recordVersion: UInt16 = 0x0301
    public var handshakeType: UInt8 = 1
    public var legacyVersion: UInt16 = 0x0303
    public var sessionID: [UInt8] = Array(repeating: 0x5A, count: 32)
    public var cipherSuites: [UInt16] = [0x1301, 0x1302, 0x1303, 0xC02F]
    public var compressionMethods: [UInt8] = [0]
    /// `nil` leaves out the extensions block entirely.
    public var extensions: [Extension]? = [
        ClientHelloBuilder.serverName("blog.example.com"),
        ClientHelloBuilder.alpn(["h2", "http/1.1"]),
        ClientHelloBuilder.supportedVersions([0x0304, 0x0303]),
    ]

    public init() {}

    public static func u16(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 8), UInt8(truncatingIfNeeded: value)] }
    public static func u24(_ value: Int) -> [UInt8] { [UInt8(truncatingIfNeeded: value >> 16)] + u16(value) }

    public static func serverName(_ name: String) -> Extension {
        serverNameEntries([(0, Array(name.utf8))])
    }

    public static func serverNameEntries(_ entries: [(type: UInt8, name: [UInt8])]) -> Extension {
        let list = entries.flatMap { [$0.type] + u16($0.name.count) + $0.name }
        return (0, u16(list.count) + list)
    }

    public static func alpn(_ names: [String]) -> Extension {
        let list = names.flatMap { [UInt8($0.utf8.count)] + Array($0.utf8) }
        return (16, u16(list.count) + list)
    }

    public static func supportedVersions(_ versions: [UInt16]) -> Extension {
        let list = versions.flatMap { u16(Int($0)) }
        return (43, [UInt8(list.count)] + list)
    }

    /// The body after the handshake header.
    public var body: [UInt8] {
        var body = Self.u16(Int(legacyVersion))
        body += Array(repeating: 0xA5, count: 32)
        body += [UInt8(sessionID.count)] + sessionID
        body += Self.u16(cipherSuites.count * 2) + cipherSuites.flatMap { Self.u16(Int($0)) }
        body += [UInt8(compressionMethods.count)] + compressionMethods
        if let extensions {
            let block = extensions.flatMap { Self.u16(Int($0.type)) + Self.u16($0.data.count) + $0.data }
            body += Self.u16(block.count) + block
        }
        return body
    }

    /// The handshake message: type, 24-bit length, body.
    public var handshake: [UInt8] {
        let body = self.body
        return [handshakeType] + Self.u24(body.count) + body
    }

    /// The message in TLS records of at most `fragmentSize` payload bytes.
    public func records(fragmentSize: Int = 16_384) -> [UInt8] {
        Self.wrap(handshake, fragmentSize: fragmentSize, recordVersion: recordVersion)
    }

    public static func wrap(_ handshake: [UInt8], fragmentSize: Int, recordVersion: UInt16 = 0x0301) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < handshake.count {
            let chunk = handshake[offset..<min(offset + fragmentSize, handshake.count)]
            out += [22] + u16(Int(recordVersion)) + u16(chunk.count) + chunk
            offset += chunk.count
        }
        return out
    }

    /// Extracts the handshake bytes from well-formed records (test input only).
    public static func unwrap(_ records: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset + 5 <= records.count {
            let length = Int(records[offset + 3]) << 8 | Int(records[offset + 4])
            let end = min(offset + 5 + length, records.count)
            out += records[(offset + 5)..<end]
            offset = end
        }
        return out
    }
}

