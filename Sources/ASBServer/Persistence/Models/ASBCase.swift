import ASBCore
import Fluent
import Foundation

/// A case: one matter of ASB or hate crime/incident, from the first report to closure.
final class ASBCase: Model, @unchecked Sendable {
    static let schema = "cases"

    @ID(key: .id) var id: UUID?
    @Field(key: "reference") var reference: String
    @Field(key: "reference_year") var referenceYear: Int
    @Field(key: "reference_number") var referenceNumber: Int
    @Field(key: "status") var status: CaseStatus
    @Field(key: "channel") var channel: ReportChannel
    @Field(key: "categories") var categories: [IncidentCategory]
    @Field(key: "hate") var hate: Bool
    @Field(key: "hate_strands") var hateStrands: [HateStrand]
    @Field(key: "asb_limbs") var asbLimbs: [ASBLimb]
    @Field(key: "not_asb") var notASB: Bool
    @OptionalField(key: "priority") var priority: Priority?
    @OptionalField(key: "priority_source") var prioritySource: PrioritySource?
    @OptionalField(key: "risk_level") var riskLevel: RiskLevel?
    @Field(key: "immediate_danger") var immediateDanger: Bool
    @OptionalField(key: "location") var location: String?
    @OptionalField(key: "postcode") var postcode: String?
    @OptionalParent(key: "property_id") var property: Property?
    @OptionalParent(key: "neighbourhood_id") var neighbourhood: Neighbourhood?
    @OptionalParent(key: "allocated_officer_id") var allocatedOfficer: User?
    /// The lead agency (SS-PRG-3); none means the landlord leads.
    @OptionalParent(key: "lead_agency_id") var leadAgency: PartnerAgency?
    @OptionalField(key: "closed_at") var closedAt: Date?
    @OptionalField(key: "closure_reason") var closureReason: ClosureReason?
    /// The closed case this one follows: a report after closure opens a new, linked case.
    @OptionalParent(key: "follow_up_of_id") var followUpOf: ASBCase?
    /// Where the ASB Case Review (community trigger, SS-PRT-1) stands for this case, if its threshold was met.
    @OptionalField(key: "case_review_status") var caseReviewStatus: CaseReviewStatus?
    @OptionalField(key: "case_review_met_at") var caseReviewMetAt: Date?
    /// The next date in the review: the outcome due to the applicant, or when the threshold was met.
    @OptionalField(key: "case_review_due_at") var caseReviewDueAt: Date?
    /// A legal hold stops retention anonymising the case (litigation, an Ombudsman or ICO enquiry).
    @OptionalField(key: "legal_hold_reason") var legalHoldReason: String?
    @OptionalField(key: "legal_hold_at") var legalHoldAt: Date?
    @OptionalParent(key: "legal_hold_by_id") var legalHoldBy: User?
    /// When retention anonymised the case's personal data.
    @OptionalField(key: "anonymised_at") var anonymisedAt: Date?
    @Field(key: "access_code_hash") var accessCodeHash: String
    @Field(key: "received_at") var receivedAt: Date
    @Field(key: "last_incident_at") var lastIncidentAt: Date
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// Optimistic locking: every change increments it; `If-Match` must name the current one.
    @Field(key: "version") var version: Int

    // No @Children here: Fluent's ChildrenProperty builds a whole model of the parent type to
    // find its id's name each time a row is decoded (two more cases for every case read); a
    // case's people and reports are queried by case id where they are needed.

    init() {}

    var caseReference: CaseReference { CaseReference(year: referenceYear, number: referenceNumber) }

    /// Gives a new case its reference (allocated in its write transaction).
    func assign(_ reference: CaseReference) {
        self.reference = reference.description
        referenceYear = reference.year
        referenceNumber = reference.number
    }

    var facts: CaseFacts {
        CaseFacts(status: status, hasAllocatedOfficer: $allocatedOfficer.id != nil,
                  hasAssessment: prioritySource == .assessed || prioritySource == .override)
    }
}

/// The ASB Case Review of a case: threshold met, applied for, reviewed, outcome sent.
enum CaseReviewStatus: String, Codable, Sendable {
    case thresholdMet, applied, outcomeDue, outcomeSent
}

/// How a case's priority was set: provisionally at intake from the reporter's answers, or by an
/// officer's assessment, confirming or overriding the score.
enum PrioritySource: String, Codable, Sendable {
    case provisional, assessed, override
}
