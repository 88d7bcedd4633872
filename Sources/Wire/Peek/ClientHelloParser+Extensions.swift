import NIOCore

extension ClientHelloParser {
    private static let serverNameExtension: UInt16 = 0
    private static let alpnExtension: UInt16 = 16
    private static let supportedVersionsExtension: UInt16 = 43

    /// Reads the extension list, keeping the three extensions routing needs.
    static func parseExtensions(_ extensions: inout PeekReader, into info: inout ClientHelloInfo) throws(PeekReader.Stop) {
        var seen = Set<UInt16>()
        while !extensions.isAtEnd {
            let type = try extensions.readInteger(as: UInt16.self, "extension type")
            var data = try extensions.readLengthPrefixed(prefixBytes: 2, "extension \(type)")
            // RFC 8446 §4.2: at most one extension of each type per block.
            guard seen.insert(type).inserted else { throw .malformed("duplicate extension \(type)") }
            switch type {
            case serverNameExtension:
                info.serverName = try parseServerName(&data)
            case alpnExtension:
                info.alpnProtocols = try parseALPN(&data)
            case supportedVersionsExtension:
                info.supportedVersions = try parseSupportedVersions(&data)
            default:
                continue
            }
        }
    }

    /// RFC 6066 §3: `ServerName server_name_list<1..2^16-1>`, each entry a
    /// name_type and, for host_name (0), `opaque HostName<1..2^16-1>`. The list
    /// MUST NOT hold two names of the same type. Entries of other types are
    /// skipped assuming the same 2-byte length prefix; a list without a
    /// host_name is rejected because the connection cannot be routed by it.
    private static func parseServerName(_ data: inout PeekReader) throws(PeekReader.Stop) -> String {
        var list = try data.readLengthPrefixed(prefixBytes: 2, "server_name_list")
        guard data.isAtEnd else { throw .malformed("bytes after server_name_list") }
        guard !list.isAtEnd else { throw .malformed("empty server_name_list") }
        var hostName: String?
        var seenTypes = Set<UInt8>()
        while !list.isAtEnd {
            let nameType = try list.readInteger(as: UInt8.self, "name_type")
            var name = try list.readLengthPrefixed(prefixBytes: 2, "server name")
            guard seenTypes.insert(nameType).inserted else {
                throw .malformed("server_name_list has two names of type \(nameType)")
            }
            guard nameType == 0 else { continue }
            let bytes = try name.readBytes(name.declaredRemaining, "host_name")
            // RFC 6066 §3: the name is sent "without a trailing dot".
            guard bytes.last != UInt8(ascii: ".") else { throw .malformed("SNI host name ends with \".\"") }
            do {
                hostName = try DNSName(utf8: bytes).text
            } catch {
                throw .malformed("SNI host name: \(error)")
            }
        }
        guard let hostName else { throw .malformed("server_name extension has no host_name entry") }
        return hostName
    }

    /// RFC 7301 §3.1: `ProtocolName protocol_name_list<2..2^16-1>`, each
    /// `opaque ProtocolName<1..2^8-1>`.
    private static func parseALPN(_ data: inout PeekReader) throws(PeekReader.Stop) -> [String] {
        var list = try data.readLengthPrefixed(prefixBytes: 2, "protocol_name_list")
        guard data.isAtEnd else { throw .malformed("bytes after protocol_name_list") }
        guard !list.isAtEnd else { throw .malformed("empty ALPN protocol_name_list") }
        var protocols: [String] = []
        while !list.isAtEnd {
            var name = try list.readLengthPrefixed(prefixBytes: 1, "ALPN protocol name")
            guard !name.isAtEnd else { throw .malformed("empty ALPN protocol name") }
            let bytes = try name.readBytes(name.declaredRemaining, "ALPN protocol name")
            protocols.append(String(decoding: bytes, as: UTF8.self))
        }
        return protocols
    }

    /// RFC 8446 §4.2.1 (ClientHello form): `ProtocolVersion versions<2..254>`.
    private static func parseSupportedVersions(_ data: inout PeekReader) throws(PeekReader.Stop) -> [UInt16] {
        var list = try data.readLengthPrefixed(prefixBytes: 1, "supported_versions")
        guard data.isAtEnd else { throw .malformed("bytes after supported_versions list") }
        let count = list.declaredRemaining
        guard count >= 2, count % 2 == 0 else {
            throw .malformed("supported_versions length \(count) is not an even number ≥ 2")
        }
        var versions: [UInt16] = []
        while !list.isAtEnd {
            versions.append(try list.readInteger(as: UInt16.self, "supported version"))
        }
        return versions
    }
}
