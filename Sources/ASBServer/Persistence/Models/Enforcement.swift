import ASBCore
import Fluent
import Foundation

/// What stands behind legal action (SS-PRG-5): the reporter's commitment to give a witness
/// statement, or a professional witness or hearsay route approved by a team leader.
final class WitnessEvidenceRecord: Model, @unchecked Sendable {
    static let schema = "witness_evidence"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "kind") var kind: WitnessEvidenceKind
    /// The witness, when they are on the case.
    @OptionalParent(key: "party_id") var party: Party?
    /// The witness's name or role otherwise, e.g. "Professional witness: noise officer".
    @OptionalField(key: "witness_name") var witnessName: String?
    /// `YYYY-MM-DD`.
    @Field(key: "confirmed_on") var confirmedOn: String
    @Field(key: "how_confirmed") var howConfirmed: String
    @OptionalParent(key: "approved_by_id") var approvedBy: User?
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var rule: WitnessEvidence {
        WitnessEvidence(kind: kind, confirmedOn: LocalDate(iso: confirmedOn) ?? LocalDate(daysSince1970: 0),
                        approvedByTeamLeader: $approvedBy.id != nil)
    }
}

/// An enforcement step against the person complained about (SS-PRG-5).
final class EnforcementAction: Model, @unchecked Sendable {
    static let schema = "enforcement_actions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "type") var type: EnforcementType
    /// `YYYY-MM-DD`.
    @Field(key: "on") var on: String
    @Field(key: "status") var status: EnforcementStatus
    @OptionalParent(key: "against_party_id") var against: Party?
    @OptionalField(key: "outcome") var outcome: String?
    @OptionalField(key: "notes") var notes: String?
    /// Warnings given when it was recorded (e.g. the person complained about was never contacted).
    @Field(key: "warnings") var warnings: [String]
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
