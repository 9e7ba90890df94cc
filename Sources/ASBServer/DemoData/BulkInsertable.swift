import Fluent
import Foundation

/// A model the demo bulk writer inserts without reflection: its database properties, in
/// declaration order. `DemoDataTests` checks each list against Fluent's own (reflected) list.
protocol BulkInsertable: Model {
    static var bulkProperties: [@Sendable (Self) -> any AnyDatabaseProperty] { get }
}

extension Party: BulkInsertable {
    static let bulkProperties: [@Sendable (Party) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$name },
        { $0.$nameKey },
        { $0.$email },
        { $0.$phone },
        { $0.$address },
        { $0.$addressKey },
        { $0.$postcode },
        { $0.$preferredContactMethod },
        { $0.$preferredContactTimes },
        { $0.$language },
        { $0.$interpreterNeeded },
        { $0.$supportNotes },
        { $0.$consentToShare },
        { $0.$consentRecordedAt },
        { $0.$tenancyReference },
        { $0.$supportNeeds },
        { $0.$property },
        { $0.$anonymisedAt },
        { $0.$createdAt },
        { $0.$updatedAt },
    ]
}

extension ASBCase: BulkInsertable {
    static let bulkProperties: [@Sendable (ASBCase) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$reference },
        { $0.$referenceYear },
        { $0.$referenceNumber },
        { $0.$status },
        { $0.$channel },
        { $0.$categories },
        { $0.$hate },
        { $0.$hateStrands },
        { $0.$asbLimbs },
        { $0.$notASB },
        { $0.$priority },
        { $0.$prioritySource },
        { $0.$riskLevel },
        { $0.$immediateDanger },
        { $0.$location },
        { $0.$postcode },
        { $0.$property },
        { $0.$neighbourhood },
        { $0.$allocatedOfficer },
        { $0.$leadAgency },
        { $0.$closedAt },
        { $0.$closureReason },
        { $0.$followUpOf },
        { $0.$caseReviewStatus },
        { $0.$caseReviewMetAt },
        { $0.$caseReviewDueAt },
        { $0.$legalHoldReason },
        { $0.$legalHoldAt },
        { $0.$legalHoldBy },
        { $0.$anonymisedAt },
        { $0.$accessCodeHash },
        { $0.$receivedAt },
        { $0.$lastIncidentAt },
        { $0.$createdAt },
        { $0.$updatedAt },
        { $0.$version },
    ]
}

extension CaseParty: BulkInsertable {
    static let bulkProperties: [@Sendable (CaseParty) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$party },
        { $0.$role },
        { $0.$createdAt },
    ]
}

extension IncidentReport: BulkInsertable {
    static let bulkProperties: [@Sendable (IncidentReport) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$channel },
        { $0.$receivedAt },
        { $0.$recordedAt },
        { $0.$reporter },
        { $0.$anonymous },
        { $0.$description },
        { $0.$occurredOn },
        { $0.$occurredAt },
        { $0.$location },
        { $0.$postcode },
        { $0.$categories },
        { $0.$hate },
        { $0.$hateStrands },
        { $0.$immediateDanger },
        { $0.$riskAnswers },
        { $0.$guidanceGiven },
        { $0.$recordedBy },
    ]
}

extension RiskAssessmentRecord: BulkInsertable {
    static let bulkProperties: [@Sendable (RiskAssessmentRecord) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$questionnaireVersion },
        { $0.$answers },
        { $0.$score },
        { $0.$level },
        { $0.$computedPriority },
        { $0.$priority },
        { $0.$overrideReason },
        { $0.$reasons },
        { $0.$supportNeeds },
        { $0.$notASB },
        { $0.$source },
        { $0.$assessedBy },
        { $0.$assessedAt },
    ]
}

extension CaseMilestone: BulkInsertable {
    static let bulkProperties: [@Sendable (CaseMilestone) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$milestone },
        { $0.$priority },
        { $0.$rule },
        { $0.$explanation },
        { $0.$dueAt },
        { $0.$metAt },
        { $0.$metBy },
        { $0.$metNote },
        { $0.$breachRecordedAt },
        { $0.$elapsed },
        { $0.$caseClosedAt },
        { $0.$createdAt },
    ]
}

extension CaseEvent: BulkInsertable {
    static let bulkProperties: [@Sendable (CaseEvent) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$at },
        { $0.$kind },
        { $0.$summary },
        { $0.$actor },
    ]
}

extension AuditEvent: BulkInsertable {
    static let bulkProperties: [@Sendable (AuditEvent) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$at },
        { $0.$actor },
        { $0.$actorLabel },
        { $0.$action },
        { $0.$entityType },
        { $0.$entityID },
        { $0.$asbCase },
        { $0.$changes },
        { $0.$requestID },
    ]
}

extension ContactLogEntry: BulkInsertable {
    static let bulkProperties: [@Sendable (ContactLogEntry) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$party },
        { $0.$at },
        { $0.$method },
        { $0.$direction },
        { $0.$summary },
        { $0.$restricted },
        { $0.$recordedBy },
        { $0.$recordedAt },
    ]
}

extension ActionPlan: BulkInsertable {
    static let bulkProperties: [@Sendable (ActionPlan) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$revision },
        { $0.$agreedOn },
        { $0.$howAgreed },
        { $0.$notes },
        { $0.$current },
        { $0.$createdBy },
        { $0.$createdAt },
    ]
}

extension PlanAction: BulkInsertable {
    static let bulkProperties: [@Sendable (PlanAction) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$plan },
        { $0.$position },
        { $0.$what },
        { $0.$owner },
        { $0.$ownerUser },
        { $0.$ownerAgency },
        { $0.$ownerParty },
        { $0.$dueOn },
        { $0.$status },
        { $0.$completedOn },
        { $0.$completionNote },
        { $0.$updatedAt },
    ]
}

extension ClosureProposal: BulkInsertable {
    static let bulkProperties: [@Sendable (ClosureProposal) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$reason },
        { $0.$explanation },
        { $0.$withdrawalHow },
        { $0.$withdrawalOn },
        { $0.$status },
        { $0.$proposedBy },
        { $0.$proposedAt },
        { $0.$approvedBy },
        { $0.$approvedAt },
        { $0.$endedAt },
        { $0.$endNote },
    ]
}

extension ClosureContactRecord: BulkInsertable {
    static let bulkProperties: [@Sendable (ClosureContactRecord) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$proposal },
        { $0.$method },
        { $0.$outcome },
        { $0.$reasons },
        { $0.$at },
        { $0.$recordedBy },
    ]
}

extension SatisfactionSurvey: BulkInsertable {
    static let bulkProperties: [@Sendable (SatisfactionSurvey) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$asbCase },
        { $0.$status },
        { $0.$dueAt },
        { $0.$tokenHash },
        { $0.$answeredBy },
        { $0.$answeredAt },
        { $0.$overall },
        { $0.$keptInformed },
        { $0.$easeOfReporting },
        { $0.$listenedTo },
        { $0.$wouldReportAgain },
        { $0.$comments },
        { $0.$enteredBy },
    ]
}

extension DissatisfactionReview: BulkInsertable {
    static let bulkProperties: [@Sendable (DissatisfactionReview) -> any AnyDatabaseProperty] = [
        { $0.$id },
        { $0.$survey },
        { $0.$asbCase },
        { $0.$status },
        { $0.$findings },
        { $0.$createdAt },
        { $0.$closedAt },
        { $0.$closedBy },
    ]
}
