import ASBCore
import Fluent
import Foundation

/// A complaint or a compliment (SS-MON-5).
final class Feedback: Model, @unchecked Sendable {
    static let schema = "feedback"

    @ID(key: .id) var id: UUID?
    @Field(key: "kind") var kind: FeedbackKind
    @Field(key: "channel") var channel: ReportChannel
    @OptionalParent(key: "case_id") var asbCase: ASBCase?
    @Field(key: "received_at") var receivedAt: Date
    @OptionalField(key: "name") var name: String?
    @OptionalField(key: "email") var email: String?
    @OptionalField(key: "phone") var phone: String?
    @Field(key: "text") var text: String
    /// For a compliment: the officer it praises, as the person named them.
    @OptionalField(key: "officer_name") var officerName: String?
    @Field(key: "status") var status: FeedbackStatus
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @OptionalParent(key: "investigator_id") var investigator: User?
    @OptionalField(key: "outcome") var outcome: FeedbackOutcome?
    @OptionalField(key: "improvement_actions") var improvementActions: String?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?

    init() {}

    /// A short reference to quote: the first eight characters of its id.
    var shortReference: String { "FB-" + (id.map { String($0.text.prefix(8)) } ?? "") }
}
