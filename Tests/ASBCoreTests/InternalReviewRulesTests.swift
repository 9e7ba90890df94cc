import Testing
@testable import ASBCore

@Suite("Internal case review sampling (SS-MON-2)")
struct InternalReviewRulesTests {
    @Test("SS-MON-2: 10% rounded up, at least 3, never more than there are", arguments: [
        (0, 0), (1, 1), (2, 2), (3, 3), (10, 3), (30, 3), (31, 4), (100, 10), (101, 11),
    ])
    func sampleSize(closed: Int, expected: Int) {
        #expect(InternalReviewRules.sampleSize(of: closed, percent: 10, minimum: 3) == expected)
    }

    @Test("SS-MON-2: the same seed draws the same cases; each case at most once")
    func reproducible() {
        let cases = Array(1...50)
        let first = InternalReviewRules.draw(from: cases, count: 5, seed: 2026_10)
        #expect(first == InternalReviewRules.draw(from: cases, count: 5, seed: 2026_10))
        #expect(Set(first).count == 5 && first.allSatisfy(cases.contains))
        #expect(first != InternalReviewRules.draw(from: cases, count: 5, seed: 2026_11))
        #expect(InternalReviewRules.draw(from: [1, 2], count: 5, seed: 1).sorted() == [1, 2])
    }

    @Test("SS-MON-2: no one reviews their own case; reviewers take turns")
    func reviewers() {
        let assigned = InternalReviewRules.assignReviewers([(1, "ann"), (2, "ben"), (3, nil), (4, "ann")], reviewers: ["ann", "ben"])
        #expect(assigned[1] == "ben" && assigned[2] == "ann" && assigned[4] == "ben")
        #expect(assigned.allSatisfy { id, reviewer in reviewer != ["ann", "ben", nil, "ann"][id - 1] })
        #expect(InternalReviewRules.assignReviewers([(1, "ann")], reviewers: ["ann"])[1] == nil)
    }
}
