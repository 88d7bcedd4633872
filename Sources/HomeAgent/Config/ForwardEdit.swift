/// The config edits behind `expose` and `unexpose`, phrased for the command
/// line: the config's own messages locate problems as `forwards[2] "web": …`,
/// which points into a file the user is not editing by hand here.
enum ForwardEdit {
    /// Why an edit was refused. The flags were fine (they are checked before
    /// the config is read); the problem is the config as it stands.
    struct Refusal: Error, CustomStringConvertible {
        var description: String
    }

    /// `config` with `forward` added.
    static func adding(_ forward: HomeConfig.Forward, to config: HomeConfig) throws(Refusal) -> HomeConfig {
        if config.forward(named: forward.name) != nil {
            throw Refusal(description: "name \"\(forward.name)\" is already used by a forward; "
                + "pick another name or run `homeagent unexpose \(forward.name)` first")
        }
        do {
            return try config.adding(forward: forward)
        } catch {
            throw Refusal(description: "\(error)")
        }
    }

    /// `config` without the forward called `name`.
    static func removing(_ name: String, from config: HomeConfig) throws(Refusal) -> HomeConfig {
        do {
            return try config.removing(forwardNamed: name)
        } catch {
            throw Refusal(description: "\(error)")
        }
    }
}
