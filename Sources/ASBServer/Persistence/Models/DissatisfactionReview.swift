import Fluent
import Foundation

/// A team leader's review after a survey answered 1 or 2 overall (SS-MON-3).
final class DissatisfactionReview: Model, @unchecked Sendable {
    static let schema = "dissatisfaction_reviews"

    @ID(key: .id) var id: UUID?
    @Parent(key: "survey_id") var survey: SatisfactionSurvey
    @Parent(key: "case_id") var asbCase: ASBCase
    /// `open` or `closed`.
    @Field(key: "status") var status: String
    @OptionalField(key: "findings") var findings: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalParent(key: "closed_by_id") var closedBy: User?
    @Children(for: \.$review) var actions: [DissatisfactionAction]

    init() {}
}

/// An improvement action from a dissatisfaction review, with its owner and due date.
final class DissatisfactionAction: Model, @unchecked Sendable {
    static let schema = "dissatisfaction_actions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "review_id") var review: DissatisfactionReview
    @Field(key: "what") var what: String
    @Parent(key: "owner_id") var owner: User
    @Field(key: "due_on") var dueOn: String
    @OptionalField(key: "done_on") var doneOn: String?

    init() {}
}
