import FuzzSupport

/// Fuzzes the home agent's config parser, ``HomeConfig/init(yaml:)``: the
/// step of `HomeConfigFile.load` that reads what the operator wrote (the rest
/// of `load` is file permissions, tested in HomeAgentTests). Any text gives a
/// config or a `HomeConfigError`, never a trap, a hang or a stack overflow
/// (see `YAMLPreflight`), and a config it accepts
/// - validates, and saves as YAML (``HomeConfig/yaml()``) without an error;
/// - reads back from that YAML as the same config.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHomeConfig(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard let text = String(validating: fuzzBytes(data, size), as: UTF8.self) else { return 0 }
    guard let config = try? HomeConfig(yaml: text) else { return 0 }
    let saved: String
    do {
        saved = try config.yaml()
    } catch {
        invariant(false, "an accepted config does not save: \(error)")
        return 0
    }
    do {
        let again = try HomeConfig(yaml: saved)
        invariant(again == config, "saved config reads back as \(again), was \(config)")
    } catch {
        invariant(false, "the saved config does not read back: \(error)\n\(saved)")
    }
    return 0
}
