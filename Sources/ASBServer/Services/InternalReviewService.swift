import ASBCore
import Fluent
import Foundation
import Vapor

/// Internal case reviews (SS-MON-2): the monthly sample of cases closed in the previous month,
/// drawn once from a stored seed, each reviewed by a team leader who did not work the case.
struct InternalReviewService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    /// Draws the sample of `month` (`2026-10`) unless it has been drawn; returns it.
    @discardableResult
    func draw(month: String, by actor: Actor) async throws -> InternalReviewSample {
        if let user = actor.user, user.role != .teamLeader { throw AppError.forbidden("Only a team leader draws the review sample.") }
        let parts = month.split(separator: "-")
        guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]), (1...12).contains(number),
              let first = LocalDate(year: year, month: number, day: 1) else {
            throw ValidationFailure([FieldError("month", "Give the month as YYYY-MM, for example 2026-10.")])
        }
        if let existing = try await InternalReviewSample.query(on: db).filter(\.$month == month).first() { return existing }
        let next = first.firstOfNextMonth
        let closed = try await ASBCase.query(on: db).filter(\.$status == .closed)
            .filter(\.$closedAt >= LondonTime.startOfDay(first)).filter(\.$closedAt < LondonTime.startOfDay(next))
            .sort(\.$referenceYear).sort(\.$referenceNumber).limit(10_000).all()
        let leaders = try await User.query(on: db).filter(\.$role == .teamLeader).filter(\.$active == true).sort(\.$username).all()
        let settings = env.config.internalReview
        let seed = env.random.seed()
        let count = InternalReviewRules.sampleSize(of: closed.count, percent: settings.percent, minimum: settings.minimum)
        let chosen = InternalReviewRules.draw(from: closed.compactMap(\.id), count: count, seed: seed)
        let officers = Dictionary(closed.compactMap { c in c.id.map { ($0, c.$allocatedOfficer.id) } }, uniquingKeysWith: { a, _ in a })
        let reviewers = InternalReviewRules.assignReviewers(chosen.map { ($0, officers[$0] ?? nil) }, reviewers: leaders.compactMap(\.id))
        let now = env.clock.now()
        let sample = InternalReviewSample()
        sample.id = OrderedID.next(at: now)
        sample.month = month
        sample.seed = String(seed)
        sample.percent = settings.percent
        sample.minimum = settings.minimum
        sample.closedCount = closed.count
        sample.drawnAt = now
        try await env.writes.run(on: db) { db in
            try await sample.create(on: db)
            for caseID in chosen {
                let review = InternalCaseReview()
                review.id = OrderedID.next(at: now)
                review.$sample.id = try sample.requireID()
                review.$asbCase.id = caseID
                review.$reviewer.id = reviewers[caseID]
                review.status = "due"
                try await review.create(on: db)
            }
            try await AuditLog.record(.internalReviewDrawn, by: actor, entityType: "internalReviewSample", entityID: month,
                                      changes: ["seed": sample.seed, "cases": String(chosen.count), "closed": String(closed.count)],
                                      at: now, requestID: requestID, on: db)
        }
        return sample
    }

    /// The month before today's (UK), as `YYYY-MM`.
    static func previousMonth(of now: Date) -> String {
        let month = LondonTime.localDateTime(for: now).date.firstOfPreviousMonth
        return String(format: "%04d-%02d", month.year, month.month)
    }

    func reviews(for user: User) async throws -> [InternalCaseReview] {
        guard user.role == .teamLeader else { throw AppError.forbidden() }
        return try await InternalCaseReview.query(on: db).filter(\.$reviewer.$id == user.requireID()).with(\.$asbCase).with(\.$sample)
            .sort(\.$status).limit(500).all()
    }

    func review(_ id: UUID, by user: User) async throws -> InternalCaseReview {
        guard let review = try await InternalCaseReview.query(on: db).filter(\.$id == id).with(\.$asbCase).with(\.$sample).first(),
              review.$reviewer.id == user.id else { throw AppError.notFound("There is no such review for you.") }
        return review
    }

    /// Records the reviewer's checklist, findings and actions; every question must be answered.
    func complete(_ id: UUID, answers: [String: InternalReviewRules.Answer], findings rawFindings: String?, actions: String?,
                  by user: User) async throws {
        let review = try await review(id, by: user)
        guard review.status == "due" else { throw AppError.duplicate("This review is already done.") }
        var errors = InternalReviewRules.checklist.filter { answers[$0.id] == nil }.map { FieldError("checklist.\($0.id)", "Answer this question.") }
        let findings = rawFindings?.trimmingWhitespace() ?? ""
        if findings.isEmpty { errors.append(FieldError("findings", "Write what you found.")) }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        review.status = "done"
        review.checklist = SortedJSON.object(answers.mapValues(\.rawValue))
        review.findings = findings
        review.actions = actions?.trimmingWhitespace()
        review.completedAt = now
        try await env.writes.run(on: db) { db in
            try await review.save(on: db)
            try await AuditLog.record(.internalReviewDone, by: .staff(user), entityType: "case", entityID: review.asbCase.reference,
                                      caseID: review.$asbCase.id, at: now, requestID: requestID, on: db)
        }
    }
}
