/// Stops a stream from paying for LZ4 on every frame when its data does not
/// compress (media, archives, encrypted bytes): after a run of failures the
/// stream sends plain frames for a while, then tries again, so a change in
/// the data is still noticed.
struct CompressionBackoff {
    /// Consecutive frames that did not shrink.
    private var failures = 0
    /// Frames still to send plain before the next attempt.
    private var skip = 0

    static let failuresBeforeBackoff = 4
    static let framesToSkip = 64

    mutating func shouldTry() -> Bool {
        guard skip == 0 else {
            skip -= 1
            return false
        }
        return true
    }

    mutating func record(success: Bool) {
        if success {
            failures = 0
        } else {
            failures += 1
            if failures >= Self.failuresBeforeBackoff {
                failures = 0
                skip = Self.framesToSkip
            }
        }
    }
}
