import Fluent
import Foundation

/// One entry of the append-only audit trail: who did what to which record, and when.
final class AuditEvent: Model, @unchecked Sendable {
    static let schema = "audit_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "at") var at: Date
    @OptionalParent(key: "actor_user_id") var actor: User?
    /// Who acted when not a staff user: `public`, `reporter`, `system`.
    @OptionalField(key: "actor_label") var actorLabel: String?
    @Field(key: "action") var action: String
    @Field(key: "entity_type") var entityType: String
    @Field(key: "entity_id") var entityID: String
    @OptionalParent(key: "case_id") var asbCase: ASBCase?
    /// Field name → new value, as JSON; never free text about people.
    @Field(key: "changes") var changes: String
    @OptionalField(key: "request_id") var requestID: String?

    init() {}
}

/// An event on a case's timeline, as officers read it.
final class CaseEvent: Model, @unchecked Sendable {
    static let schema = "case_events"

    enum Kind: String, Codable, Sendable {
        case reported, incidentAdded, allocated, updated, statusChanged, assessed, priorityChanged, milestoneMet, milestoneBreached, partyAdded, referred, referralUpdated, leadAgencyChanged, contactPlanAgreed, contactLogged, actionPlanAgreed, actionUpdated, witnessEvidenceRecorded, enforcementRecorded, enforcementUpdated, reviewScheduled, reviewHeld, attachmentAdded, closureProposed, closureContact, closureApproved, closureCancelled, closed, reopened, followUpOpened, caseReviewThresholdMet, caseReviewApplied, caseReviewUpdated, messageSent, messageFailed, surveyAnswered, legalHoldPlaced, legalHoldLifted, anonymised
    }

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "at") var at: Date
    @Field(key: "kind") var kind: Kind
    @Field(key: "summary") var summary: String
    @OptionalParent(key: "actor_user_id") var actor: User?

    init() {}

    convenience init(caseID: UUID, at: Date, kind: Kind, summary: String, actorID: UUID?) {
        self.init()
        fill(caseID: caseID, at: at, kind: kind, summary: summary, actorID: actorID)
    }

    /// Sets every column of a new event, a new id among them: the initialiser's work, also for
    /// one model written row after row (demo data's `DemoBatchBuilder`).
    func fill(caseID: UUID, at: Date, kind: Kind, summary: String, actorID: UUID?) {
        self.id = OrderedID.next(at: at)
        self.$asbCase.id = caseID
        self.at = at
        self.kind = kind
        self.summary = summary
        self.$actor.id = actorID
    }
}

/// A submission made with an `Idempotency-Key`, kept for a day so a retry gets the same answer.
final class IdempotencyRecord: Model, @unchecked Sendable {
    static let schema = "idempotency_records"

    @ID(key: .id) var id: UUID?
    @Field(key: "key") var key: String
    @Field(key: "request_hash") var requestHash: String
    /// The 201 body that was sent, as JSON (it holds the access code, so it expires).
    @Field(key: "response") var response: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date

    init() {}
}

/// A failed attempt counted for throttling (sign-in, tracking). Shared by every server instance.
final class ThrottleEvent: Model, @unchecked Sendable {
    static let schema = "throttle_events"

    @ID(key: .id) var id: UUID?
    @Field(key: "scope") var scope: String
    @Field(key: "key_hash") var keyHash: String
    @Field(key: "at") var at: Date

    init() {}

    init(scope: String, keyHash: String, at: Date) {
        self.scope = scope
        self.keyHash = keyHash
        self.at = at
    }
}
