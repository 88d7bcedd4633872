extension ProxyProtocolV2Header {
    /// One type-length-value extension (`proxy-protocol.txt` §2.2.1–2.2.7).
    public struct TLV: Hashable, Sendable {
        /// A TLV type byte; unknown types survive decoding unchanged.
        public struct Kind: RawRepresentable, Hashable, Sendable {
            public var rawValue: UInt8
            public init(rawValue: UInt8) { self.rawValue = rawValue }

            /// `PP2_TYPE_ALPN`: the application protocol, as negotiated.
            public static let alpn = Kind(rawValue: 0x01)
            /// `PP2_TYPE_AUTHORITY`: the host name the client asked for (SNI or Host), UTF-8.
            public static let authority = Kind(rawValue: 0x02)
            /// `PP2_TYPE_CRC32C`.
            public static let crc32c = Kind(rawValue: 0x03)
            /// `PP2_TYPE_NOOP`: padding, to be ignored.
            public static let noop = Kind(rawValue: 0x04)
            /// `PP2_TYPE_UNIQUE_ID`: an opaque connection id of up to 128 bytes.
            public static let uniqueID = Kind(rawValue: 0x05)
            /// `PP2_TYPE_SSL`.
            public static let ssl = Kind(rawValue: 0x20)
            /// `PP2_TYPE_NETNS`.
            public static let netns = Kind(rawValue: 0x30)
        }

        public var type: Kind
        public var value: [UInt8]

        public init(type: Kind, value: [UInt8]) {
            self.type = type
            self.value = value
        }

        /// The host name the client asked for.
        public static func authority(_ host: String) -> TLV {
            TLV(type: .authority, value: Array(host.utf8))
        }

        /// The application protocol (for example `h2`).
        public static func alpn(_ name: String) -> TLV {
            TLV(type: .alpn, value: Array(name.utf8))
        }

        /// Type, length and value.
        public var encodedLength: Int { 3 + value.count }
    }
}
