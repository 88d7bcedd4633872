import Foundation
import Testing
@testable import HomeAgent

/// When `homeagent run` renews ([CERT-2]), computed from the certificate's
/// dates instead of waited for.
@Suite struct RenewalScheduleTests {
    static let issued = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    @Test("renewal is due at two thirds of the lifetime, plus at most a thirtieth of it as jitter")
    func twoThirds() {
        let notAfter = Self.issued.addingTimeInterval(360 * Self.day)
        let earliest = RenewalSchedule.renewalPoint(notBefore: Self.issued, notAfter: notAfter, unit: 0)
        let latest = RenewalSchedule.renewalPoint(notBefore: Self.issued, notAfter: notAfter, unit: 1)
        #expect(earliest == Self.issued.addingTimeInterval(240 * Self.day))
        #expect(latest == Self.issued.addingTimeInterval(252 * Self.day))
        let middle = RenewalSchedule.renewalPoint(notBefore: Self.issued, notAfter: notAfter, unit: 0.5)
        #expect(middle > earliest && middle < latest)
        // Out-of-range draws are clamped, never past the latest point.
        #expect(RenewalSchedule.renewalPoint(notBefore: Self.issued, notAfter: notAfter, unit: 7) == latest)
        // Always well before expiry: more than a quarter of the lifetime remains.
        #expect(notAfter.timeIntervalSince(latest) > 90 * Self.day)
    }

    @Test("a certificate past its renewal point, or with nonsense dates, is due at once")
    func dueAtOnce() {
        let notBefore = Date().addingTimeInterval(-300 * Self.day)
        let due = RenewalSchedule.renewalPoint(notBefore: notBefore, notAfter: notBefore.addingTimeInterval(365 * Self.day), unit: 1)
        #expect(due < Date())
        // notAfter before notBefore: lifetime 0, due at notBefore.
        #expect(RenewalSchedule.renewalPoint(notBefore: Self.issued, notAfter: Self.issued.addingTimeInterval(-10), unit: 1) == Self.issued)
    }

    @Test("failed attempts back off from a minute to at most an hour; renewal_too_soon waits the edge's hour")
    func retries() {
        #expect(RenewalSchedule.retryDelay(failures: 1, tooSoon: false, unit: 1) == 60)
        #expect(RenewalSchedule.retryDelay(failures: 1, tooSoon: false, unit: 0) == 30)
        #expect(RenewalSchedule.retryDelay(failures: 3, tooSoon: false, unit: 1) == 240)
        #expect(RenewalSchedule.retryDelay(failures: 30, tooSoon: false, unit: 1) == 3600)
        #expect(RenewalSchedule.retryDelay(failures: 1, tooSoon: true, unit: 0) == 3600)
        #expect(abs(RenewalSchedule.retryDelay(failures: 1, tooSoon: true, unit: 1) - 3960) < 0.001)
    }
}
