/// The HELLO frame: both sides send one as their first frame ([HELLO-1]).
/// It offers a range of protocol versions and a list of settings.
public struct Hello: Hashable, Sendable {
    public var minimumVersion: UInt16
    public var maximumVersion: UInt16
    public var settings: [Setting]

    public init(minimumVersion: UInt16, maximumVersion: UInt16, settings: [Setting]) {
        self.minimumVersion = minimumVersion
        self.maximumVersion = maximumVersion
        self.settings = settings
    }

    /// The highest version both ranges contain, or nil when they do not meet ([HELLO-3]).
    public func negotiatedVersion(with peer: Hello) -> UInt16? {
        let version = min(maximumVersion, peer.maximumVersion)
        return version >= max(minimumVersion, peer.minimumVersion) ? version : nil
    }

    /// The value of `id`, if the sender included it (the last one wins).
    public func value(of id: SettingID) -> UInt32? {
        settings.last { $0.id == id }?.value
    }
}

/// One setting in HELLO: a 16-bit id and a 32-bit value. Unknown ids are
/// ignored by receivers, which is how new capabilities are added ([EXT-2]).
public struct Setting: Hashable, Sendable {
    public var id: SettingID
    public var value: UInt32
    public init(_ id: SettingID, _ value: UInt32) {
        self.id = id
        self.value = value
    }
}

public struct SettingID: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Largest frame payload the sender accepts.
    public static let maxFrameSize = SettingID(rawValue: 0x1)
    /// Receive window every new stream starts with, in both directions.
    public static let initialStreamWindow = SettingID(rawValue: 0x2)
    /// Most streams the peer may have open towards the sender at once.
    public static let maxConcurrentStreams = SettingID(rawValue: 0x3)
    /// Bit set of optional features ([Capabilities]).
    public static let capabilities = SettingID(rawValue: 0x4)
    /// Receive window of the connection as a whole at the start.
    public static let initialConnectionWindow = SettingID(rawValue: 0x5)
}

/// Optional features announced in the `capabilities` setting; a feature is
/// used only when both sides announce it.
public struct Capabilities: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// DATA payloads may be LZ4 blocks ([COMP-1]).
    public static let lz4 = Capabilities(rawValue: 1 << 0)
}
