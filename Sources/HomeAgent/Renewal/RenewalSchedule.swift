import Foundation

/// When a home renews its certificate ([CERT-2]): once two thirds of its
/// lifetime have passed, plus up to a thirtieth of the lifetime of jitter
/// (about twelve days for a one-year certificate), so homes enrolled the
/// same day do not all ask the edge at the same moment. Pure functions of
/// the certificate's dates, so they are tested without waiting.
enum RenewalSchedule {
    /// The moment renewal is due; `unit` is a uniform draw from [0, 1].
    static func renewalPoint(notBefore: Date, notAfter: Date, unit: Double) -> Date {
        let lifetime = max(0, notAfter.timeIntervalSince(notBefore))
        let jitter = min(max(unit, 0), 1) * lifetime / 30
        return notBefore.addingTimeInterval(lifetime * 2 / 3 + jitter)
    }

    /// How long to wait after failed attempt number `failures` (1 for the
    /// first): one minute doubling to at most an hour, with half of it
    /// jittered; a refusal for renewing too soon waits the edge's full hour.
    static func retryDelay(failures: Int, tooSoon: Bool, unit: Double) -> TimeInterval {
        let unit = min(max(unit, 0), 1)
        if tooSoon { return 3600 * (1 + unit / 10) }
        let ceiling = min(60 * pow(2, Double(max(failures, 1) - 1)), 3600)
        return ceiling * (0.5 + unit / 2)
    }
}
