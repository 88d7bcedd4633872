import Wire

/// Why `homeagent join` failed, each with what the user can do about it.
enum EnrollmentError: Error, Equatable, CustomStringConvertible {
    case unreachable(address: String, reason: String)
    case pinMismatch(address: String)
    case tls(String)
    case tokenExpired
    case tokenUsed
    case tokenSuperseded
    case tokenUnknown
    case refused(String)
    case timedOut(address: String)
    case protocolError(String)
    /// The config or its files stand in the way (exists, cannot be written); checked before enrolling.
    case localFiles(String)
    /// Enrolled, but the files could not be written: the token is spent.
    case notSaved(home: String, reason: String)

    var description: String {
        switch self {
        case .unreachable(let address, let reason):
            "cannot reach the edge at \(address): \(reason). Check the address (--edge HOST:PORT dials another one "
                + "than the token names) and that edgeagent is running."
        case .pinMismatch(let address):
            "the server at \(address) is not the edge this token was made for (its CA does not match the token's pin). Nothing was sent."
        case .tls(let reason):
            "TLS with the edge failed \(reason). Homes join at the edge's tunnel port (its base port + 1, 8444 by default)."
        case .tokenExpired:
            "the join token has expired; ask the edge operator for a new one (`edgeagent home token NAME`)."
        case .tokenUsed:
            "the join token was already used; each token enrolls one home once. "
                + "Ask the edge operator for a new one (edgeagent home token NAME)."
        case .tokenSuperseded:
            "the join token was replaced: a newer token was issued for this home, or the home has enrolled since. "
                + "Ask the edge operator for a new one (edgeagent home token NAME)."
        case .tokenUnknown:
            "the edge does not know this join token (deleted, or for another edge)."
        case .refused(let reason):
            "the edge refused to enroll this home: \(reason)"
        case .timedOut(let address):
            "the edge at \(address) did not answer in time."
        case .protocolError(let reason):
            "the edge answered something unexpected: \(reason)"
        case .localFiles(let problem):
            problem
        case .notSaved(let home, let reason):
            "the edge enrolled home \"\(home)\", but its files could not be written (\(reason)); the token is spent: "
                + "ask the edge operator for a new one (edgeagent home token \(home))"
        }
    }
}
