import Foundation

/// Internal case reviews (SS-MON-2): each month a random sample of the cases closed in the
/// previous month is reviewed against a checklist, never by the officer who worked the case.
public enum InternalReviewRules {
    /// The checklist, in the order a reviewer answers it.
    public static let checklist: [(id: String, question: String)] = [
        ("riskAssessment", "Was the risk assessment appropriate and timely?"),
        ("actionPlan", "Was an action plan agreed with the reporter and used?"),
        ("contact", "Was contact kept as agreed?"),
        ("partners", "Were partner agencies involved where they were needed?"),
        ("outcome", "Was the outcome appropriate?"),
        ("closure", "Was the closure properly agreed with the reporter?"),
    ]

    public enum Answer: String, Sendable, Codable, CaseIterable {
        case yes, no, notApplicable

        public var displayName: String {
            switch self {
            case .yes: "Yes"
            case .no: "No"
            case .notApplicable: "Does not apply"
            }
        }
    }

    /// How many of `closed` cases to review: `percent` of them rounded up, at least `minimum`
    /// (or all of them when there are fewer).
    public static func sampleSize(of closed: Int, percent: Int, minimum: Int) -> Int {
        guard closed > 0 else { return 0 }
        let share = Int((Double(closed) * Double(percent) / 100).rounded(.up))
        return min(closed, max(share, minimum))
    }

    /// Draws the sample reproducibly: the same cases, in the same order, and the same seed give
    /// the same sample. `cases` must come in a stable order (by reference).
    public static func draw<ID: Hashable>(from cases: [ID], count: Int, seed: UInt64) -> [ID] {
        var generator = SplitMix64(seed: seed)
        var pool = cases
        var chosen: [ID] = []
        while chosen.count < count, !pool.isEmpty {
            let index = Int(generator.next() % UInt64(pool.count))
            chosen.append(pool.remove(at: index))
        }
        return chosen
    }

    /// A reviewer for each case: the first of `reviewers`, in turn, who did not work the case.
    /// Nil when every reviewer worked it.
    public static func assignReviewers<ID: Hashable, Person: Equatable>(_ cases: [(ID, Person?)], reviewers: [Person]) -> [ID: Person] {
        var result: [ID: Person] = [:]
        var turn = 0
        for (id, officer) in cases {
            for offset in 0..<reviewers.count {
                let candidate = reviewers[(turn + offset) % reviewers.count]
                if candidate != officer {
                    result[id] = candidate
                    turn = (turn + offset + 1) % max(reviewers.count, 1)
                    break
                }
            }
        }
        return result
    }
}
