import Foundation
import Testing
@testable import ASBCore

@Suite("Time taken to milestones (SS-MON-1)")
struct TimingTests {
    let calendar = WorkingCalendar(region: .englandAndWales)

    func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    @Test("SS-MON-1: working hours count only working days, as deadlines do", arguments: [
        ("2026-11-24T10:15:00Z", "2026-11-24T12:45:00Z", 2.5),     // same Tuesday
        ("2026-11-24T10:15:00Z", "2026-11-25T10:15:00Z", 24),      // the P1 deadline exactly
        ("2026-11-27T15:00:00Z", "2026-11-30T15:00:00Z", 24),      // Friday to Monday: the weekend skipped
        ("2026-11-28T11:00:00Z", "2026-11-30T09:00:00Z", 9),       // received on Saturday: counts from Monday 00:00
        ("2026-04-02T08:00:00Z", "2026-04-07T08:00:00Z", 24),      // Thu 09:00 BST over Good Friday and Easter Monday
    ])
    func workingHours(from: String, to: String, hours: Double) {
        #expect(ServiceClock.elapsed(from: at(from), to: at(to), rule: .workingHours(24), calendar: calendar) == hours)
    }

    @Test("SS-MON-1: working days after the day of receipt", arguments: [
        ("2026-11-23T14:00:00Z", "2026-11-23T16:00:00Z", 0.0),     // the day of receipt
        ("2026-11-23T14:00:00Z", "2026-11-30T10:00:00Z", 5),       // Mon to next Mon: the P2 investigation deadline day
        ("2026-12-18T12:00:00Z", "2027-01-06T12:00:00Z", 10),      // over Christmas and New Year
        ("2026-11-27T12:00:00Z", "2026-11-29T12:00:00Z", 0),       // Friday to Sunday
    ])
    func workingDays(from: String, to: String, days: Double) {
        #expect(ServiceClock.elapsed(from: at(from), to: at(to), rule: .workingDays(5), calendar: calendar) == days)
    }

    @Test("Every deadline is exactly its rule's length in elapsed working time", arguments: [
        "2026-11-24T10:15:00Z", "2026-11-27T15:00:00Z", "2026-12-24T16:00:00Z", "2026-03-27T09:30:00Z",
    ])
    func deadlinesAgree(received: String) {
        for priority in Priority.allCases {
            for rule in ServiceClock.schedule(for: priority) {
                let due = ServiceClock.dueAt(receivedAt: at(received), rule: rule.rule, calendar: calendar)
                let expected: Double = switch rule.rule {
                case .workingHours(let h): Double(h)
                case .workingDays(let d): Double(d)
                }
                // A working-days deadline falls at 00:00 after its last day: a second earlier is still that day.
                let end = if case .workingDays = rule.rule { due.addingTimeInterval(-1) } else { due }
                #expect(ServiceClock.elapsed(from: at(received), to: end, rule: rule.rule, calendar: calendar) == expected,
                        "\(priority) \(rule.milestone) from \(received)")
            }
        }
    }

    @Test("Median and 90th percentile by nearest rank")
    func percentiles() {
        let values: [Double] = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6]
        #expect(Percentiles.median(values) == 5)
        #expect(Percentiles.value(90, of: values) == 9)
        #expect(Percentiles.value(100, of: values) == 10)
        #expect(Percentiles.median([]) == nil)
        #expect(Percentiles.median([7]) == 7)
    }
}
