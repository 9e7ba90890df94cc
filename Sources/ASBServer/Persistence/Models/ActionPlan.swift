import ASBCore
import Fluent
import Foundation

/// One agreed revision of a case's action plan (SS-NXT-2).
final class ActionPlan: Model, @unchecked Sendable {
    static let schema = "action_plans"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "revision") var revision: Int
    /// `YYYY-MM-DD`: when it was agreed with the reporter.
    @Field(key: "agreed_on") var agreedOn: String
    @Field(key: "how_agreed") var howAgreed: ContactChannel
    @OptionalField(key: "notes") var notes: String?
    @Field(key: "current") var current: Bool
    @OptionalParent(key: "created_by_id") var createdBy: User?
    @Field(key: "created_at") var createdAt: Date
    @Children(for: \.$plan) var actions: [PlanAction]

    init() {}
}

/// One action of a plan, with who owns it (SS-NXT-2: joint responsibilities).
final class PlanAction: Model, @unchecked Sendable {
    static let schema = "plan_actions"

    @ID(key: .id) var id: UUID?
    @Parent(key: "plan_id") var plan: ActionPlan
    @Field(key: "position") var position: Int
    @Field(key: "what") var what: String
    @Field(key: "owner") var owner: ActionOwnerKind
    /// The landlord's officer, when the landlord owns it.
    @OptionalParent(key: "owner_user_id") var ownerUser: User?
    @OptionalParent(key: "owner_agency_id") var ownerAgency: PartnerAgency?
    @OptionalParent(key: "owner_party_id") var ownerParty: Party?
    @OptionalField(key: "due_on") var dueOn: String?
    @Field(key: "status") var status: ActionStatus
    @OptionalField(key: "completed_on") var completedOn: String?
    @OptionalField(key: "completion_note") var completionNote: String?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var planned: PlannedAction {
        PlannedAction(owner: owner, dueOn: dueOn.flatMap { LocalDate(iso: $0) }, status: status,
                      completedOn: completedOn.flatMap { LocalDate(iso: $0) })
    }
}
