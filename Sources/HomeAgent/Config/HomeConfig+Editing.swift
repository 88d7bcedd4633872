/// Forward edits for `homeagent expose` / `unexpose`: each returns a new,
/// validated config (or throws) so the command can save it as a whole, and a
/// failed edit never leaves a half-changed value behind.
extension HomeConfig {
    /// This config with `forward` appended (file order is sync order).
    /// Throws if a forward of that name exists or the result is invalid.
    func adding(forward: Forward) throws(HomeConfigError) -> HomeConfig {
        var edited = self
        edited.forwards.append(forward)
        try edited.validate()
        return edited
    }

    /// This config without the forward called `name`; throws
    /// ``HomeConfigError/noSuchForward(name:existing:)`` if there is none.
    func removing(forwardNamed name: String) throws(HomeConfigError) -> HomeConfig {
        let index = try index(ofForwardNamed: name)
        var edited = self
        edited.forwards.remove(at: index)
        return edited
    }

    /// This config with the forward called `name` replaced by `forward` in
    /// the same position (it may be renamed, if the new name is free).
    func replacing(forwardNamed name: String, with forward: Forward) throws(HomeConfigError) -> HomeConfig {
        let index = try index(ofForwardNamed: name)
        var edited = self
        edited.forwards[index] = forward
        try edited.validate()
        return edited
    }

    private func index(ofForwardNamed name: String) throws(HomeConfigError) -> Int {
        guard let index = forwards.firstIndex(where: { $0.name == name }) else {
            throw .noSuchForward(name: name, existing: forwards.map(\.name))
        }
        return index
    }
}
