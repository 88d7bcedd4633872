/// What a sync made of one declared forward, in declaration order. One bad
/// declaration is rejected on its own; the others are still accepted.
enum ForwardSyncResult: Hashable, Sendable {
    case accepted(Forward)
    case rejected(name: String, error: RegistryError)

    var name: String {
        switch self {
        case .accepted(let forward): forward.name
        case .rejected(let name, _): name
        }
    }

    /// The TCP port an accepted forward was given.
    var acceptedPort: Int? {
        if case .accepted(let forward) = self { forward.publicPort } else { nil }
    }
}
