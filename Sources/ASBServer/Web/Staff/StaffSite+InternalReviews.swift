import ASBCore
import Foundation
import Vapor

/// Internal case reviews for team leaders (SS-MON-2): the reviews assigned to them, drawing last
/// month's sample, and the checklist.
extension StaffSite {
    func bootInternalReviews(_ routes: any RoutesBuilder) {
        routes.get(use: internalReviews)
        routes.post("draw", use: drawInternalReviews)
        routes.get(":id", use: internalReview)
        routes.post(":id", use: completeInternalReview)
    }

    struct InternalReviewsPage: PageModel {
        var chrome: PageChrome
        var heading: String
        var intro: String
        var tables: [Table]?
        var empty: String?
        var drawMonth: String
    }

    @Sendable func internalReviews(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        guard user.role == .teamLeader else { throw AppError.forbidden("Internal case reviews are for team leaders.") }
        let reviews = try await InternalReviewService(app: req.application, db: req.db, requestID: req.id).reviews(for: user)
        let rows: [[Table.Cell]] = reviews.map { r in
            [.init(text: r.asbCase.reference, href: "/staff/internal-reviews/\(r.id?.text ?? "")"), .init(text: r.sample.month),
             .init(text: r.status == "done" ? "Done" : "Due", tag: r.status == "done" ? "tag-green" : "tag-yellow")]
        }
        return try await req.page("staff/internal-reviews", InternalReviewsPage(
            chrome: WebChrome.make(req, title: "Internal case reviews"), heading: "Internal case reviews",
            intro: "Each month a random sample of the cases closed in the previous month is reviewed, never by the officer who worked the case. The sample is drawn automatically; you can draw it now.",
            tables: rows.isEmpty ? nil : [Table(caption: "Your reviews", headers: ["Case", "Month closed", "State"], rows: rows)],
            empty: rows.isEmpty ? "No reviews assigned to you." : nil,
            drawMonth: InternalReviewService.previousMonth(of: req.application.asb.clock.now())))
    }

    @Sendable func drawInternalReviews(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        try CSRF.verify(try req.formData(), for: req)
        let month = InternalReviewService.previousMonth(of: req.application.asb.clock.now())
        let sample = try await InternalReviewService(app: req.application, db: req.db, requestID: req.id).draw(month: month, by: .staff(user))
        return req.seeOther("/staff/internal-reviews", notice: "The sample for \(sample.month): \(sample.closedCount) cases closed, drawn with seed \(sample.seed).")
    }

    struct InternalReviewPage: PageModel {
        var chrome: PageChrome
        var reference: String
        var caseHref: String
        var done: Bool
        var form: FormModel?
        var answers: SummaryList?
    }

    static func reviewForm(_ id: UUID) -> FormModel {
        FormModel(id: "internal-review", title: "Review", action: "/staff/internal-reviews/\(id.text)", submitLabel: "Save review",
                  fields: InternalReviewRules.checklist.map { item in
                      FormField(kind: .radios, name: "checklist.\(item.id)", label: item.question,
                                options: InternalReviewRules.Answer.allCases.map { .init(value: $0.rawValue, label: $0.displayName) })
                  } + [
                      FormField(kind: .textarea, name: "findings", label: "Findings"),
                      FormField(kind: .textarea, name: "actions", label: "Actions (optional)", hint: "What should change, who does it and by when."),
                  ])
    }

    private func internalReviewPage(_ req: Request, form override: FormModel? = nil, errors: [ErrorLink] = [],
                                    status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such review.") }
        let review = try await InternalReviewService(app: req.application, db: req.db, requestID: req.id).review(id, by: user)
        var answers: [SummaryItem]?
        if review.status == "done", let json = review.checklist,
           let stored = try? JSONDecoder().decode([String: String].self, from: Data(json.utf8)) {
            answers = InternalReviewRules.checklist.map { item in
                SummaryItem(key: item.question, value: stored[item.id].flatMap(InternalReviewRules.Answer.init(rawValue:))?.displayName ?? "–")
            } + [SummaryItem(key: "Findings", value: review.findings ?? "–"), SummaryItem(key: "Actions", value: review.actions ?? "–")]
        }
        return try await req.page("staff/internal-review", InternalReviewPage(
            chrome: WebChrome.make(req, title: "Internal review of \(review.asbCase.reference)", errors: errors),
            reference: review.asbCase.reference, caseHref: "/staff/cases/\(review.asbCase.reference)", done: review.status == "done",
            form: review.status == "done" ? nil : (override ?? Self.reviewForm(id)), answers: answers.map(SummaryList.init)), status: status)
    }

    @Sendable func internalReview(_ req: Request) async throws -> Response { try await internalReviewPage(req) }

    @Sendable func completeInternalReview(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such review.") }
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        var answers: [String: InternalReviewRules.Answer] = [:]
        for item in InternalReviewRules.checklist {
            if let answer = form["checklist.\(item.id)"].flatMap(InternalReviewRules.Answer.init(rawValue:)) { answers[item.id] = answer }
        }
        do {
            try await InternalReviewService(app: req.application, db: req.db, requestID: req.id)
                .complete(id, answers: answers, findings: form["findings"], actions: form["actions"], by: user)
            return req.seeOther("/staff/internal-reviews", notice: "The review is saved.")
        } catch let failure as ValidationFailure {
            var model = Self.reviewForm(id)
            model.fill(from: form)
            let links = model.apply(failure.errors)
            return try await internalReviewPage(req, form: model, errors: links, status: .unprocessableEntity)
        }
    }
}
