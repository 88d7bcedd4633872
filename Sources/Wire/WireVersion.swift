/// Protocol and software versions shared by both agents.
public enum WireVersion {
    /// The highest wire protocol version this implementation speaks.
    public static let current: UInt16 = 1
    /// The lowest wire protocol version this implementation accepts.
    public static let minimum: UInt16 = 1
    /// The release version printed by `--version`.
    public static let softwareVersion = "0.1.0"
}
