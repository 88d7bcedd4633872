/// Polls `condition` every 10 ms until it holds or `timeout` passes, and
/// returns its last value: for tests that wait on something another thread
/// or process brings about.
public func eventually(timeout: Duration = .seconds(10), _ condition: @Sendable () async throws -> Bool) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try await Task.sleep(for: .milliseconds(10))
    }
    return try await condition()
}
