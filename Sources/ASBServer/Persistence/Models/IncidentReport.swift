import ASBCore
import Fluent
import Foundation

/// One report on a case: the first and every new incident (SS-PRG-1).
final class IncidentReport: Model, @unchecked Sendable {
    static let schema = "incident_reports"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "channel") var channel: ReportChannel
    /// When the landlord received it (a letter's date stamp may be earlier than `recordedAt`).
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "recorded_at") var recordedAt: Date
    @OptionalParent(key: "reporter_party_id") var reporter: Party?
    @Field(key: "anonymous") var anonymous: Bool
    @Field(key: "description") var description: String
    @OptionalField(key: "occurred_on") var occurredOn: String?
    @OptionalField(key: "occurred_at") var occurredAt: String?
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "postcode") var postcode: String?
    @Field(key: "categories") var categories: [IncidentCategory]
    @Field(key: "hate") var hate: Bool
    @Field(key: "hate_strands") var hateStrands: [HateStrand]
    @Field(key: "immediate_danger") var immediateDanger: Bool
    /// The reporter's answers to the risk questions, as JSON.
    @OptionalField(key: "risk_answers") var riskAnswers: String?
    /// Guidance given about reporting to other agencies (SS-REP-3, SS-PRG-1).
    @Field(key: "guidance_given") var guidanceGiven: [AgencyGuidance]
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?

    init() {}
}
