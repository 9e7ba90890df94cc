import Fluent
import Foundation

/// One month's sample of closed cases for internal review, with the seed it was drawn from.
final class InternalReviewSample: Model, @unchecked Sendable {
    static let schema = "internal_review_samples"

    @ID(key: .id) var id: UUID?
    /// `2026-10`: the month whose closed cases were sampled.
    @Field(key: "month") var month: String
    /// The generator's seed, as a decimal string, so the draw can be repeated and checked.
    @Field(key: "seed") var seed: String
    @Field(key: "percent") var percent: Int
    @Field(key: "minimum") var minimum: Int
    @Field(key: "closed_count") var closedCount: Int
    @Field(key: "drawn_at") var drawnAt: Date

    init() {}
}

/// One sampled case's review.
final class InternalCaseReview: Model, @unchecked Sendable {
    static let schema = "internal_reviews"

    @ID(key: .id) var id: UUID?
    @Parent(key: "sample_id") var sample: InternalReviewSample
    @Parent(key: "case_id") var asbCase: ASBCase
    @OptionalParent(key: "reviewer_id") var reviewer: User?
    /// `due` or `done`.
    @Field(key: "status") var status: String
    /// The checklist answers as JSON: question id → `yes`, `no` or `notApplicable`.
    @OptionalField(key: "checklist") var checklist: String?
    @OptionalField(key: "findings") var findings: String?
    @OptionalField(key: "actions") var actions: String?
    @OptionalField(key: "completed_at") var completedAt: Date?

    init() {}
}
