import Fluent
import Foundation

/// An application for an ASB Case Review, and what became of it.
final class CaseReviewApplication: Model, @unchecked Sendable {
    static let schema = "case_review_applications"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @OptionalParent(key: "applicant_party_id") var applicant: Party?
    /// `YYYY-MM-DD`.
    @Field(key: "applied_on") var appliedOn: String
    @Field(key: "threshold_met") var thresholdMet: Bool
    @Field(key: "threshold_explanation") var thresholdExplanation: String
    @OptionalField(key: "meeting_on") var meetingOn: String?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "recommendations") var recommendations: String?
    /// The outcome must reach the applicant within 10 working days of the review meeting.
    @OptionalField(key: "outcome_due_at") var outcomeDueAt: Date?
    @OptionalField(key: "outcome_sent_on") var outcomeSentOn: String?
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}
}
