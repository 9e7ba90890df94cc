import Fluent
import Foundation

/// A case review meeting with relevant officers and agencies (SS-PRG-4).
final class ReviewMeeting: Model, @unchecked Sendable {
    static let schema = "review_meetings"

    enum Status: String, Codable, Sendable { case scheduled, held, cancelled }

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "status") var status: Status
    /// `YYYY-MM-DD`.
    @Field(key: "scheduled_for") var scheduledFor: String
    @OptionalField(key: "held_on") var heldOn: String?
    /// Who attended, as written ("Jo Bloggs, ASB officer").
    @Field(key: "attendees") var attendees: [String]
    /// The partner agencies that took part.
    @Field(key: "agency_ids") var agencyIDs: [String]
    @OptionalField(key: "summary") var summary: String?
    @OptionalField(key: "decisions") var decisions: String?
    @OptionalField(key: "next_review_on") var nextReviewOn: String?
    @OptionalParent(key: "created_by_id") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
