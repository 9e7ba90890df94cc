import Fluent
import Foundation

/// Writes the append-only audit trail. Nothing in the application updates or deletes an entry.
enum AuditLog {
    enum Action: String {
        case caseCreate = "case.create"
        case caseRead = "case.read"
        case caseUpdate = "case.update"
        case caseTransition = "case.transition"
        case caseTrack = "case.track"
        case incidentCreate = "incident.create"
        case timelineRead = "case.timeline.read"
        case auditRead = "case.audit.read"
        case login = "session.login"
        case loginFailed = "session.loginFailed"
        case logout = "session.logout"
        case userCreate = "user.create"
        case userUpdate = "user.update"
        case neighbourhoodCreate = "neighbourhood.create"
        case propertyCreate = "property.create"
        case calendarChange = "calendar.change"
        case partyRead = "party.read"
        case partyUpdate = "party.update"
        case partyLink = "case.party.add"
        case agencyCreate = "partnerAgency.create"
        case agencyUpdate = "partnerAgency.update"
        case referralCreate = "case.referral.create"
        case referralUpdate = "case.referral.update"
        case leadAgencyChange = "case.leadAgency"
        case contactPlan = "case.contactPlan"
        case contactLogged = "case.contact"
        case actionPlanAgreed = "case.actionPlan"
        case actionUpdated = "case.action"
        case witnessEvidence = "case.witnessEvidence"
        case witnessApproval = "case.witnessEvidence.approve"
        case enforcementCreate = "case.enforcement.create"
        case enforcementUpdate = "case.enforcement.update"
        case reviewScheduled = "case.review.schedule"
        case reviewHeld = "case.review.held"
        case attachmentUpload = "case.attachment.upload"
        case open311KeyIssued = "open311.key.issued"
        case surveyAnswered = "case.survey.answered"
        case feedbackRecorded = "feedback.recorded"
        case internalReviewDrawn = "internalReview.drawn"
        case dissatisfactionReviewUpdated = "case.dissatisfactionReview.updated"
        case internalReviewDone = "case.internalReview.done"
        case feedbackUpdated = "feedback.updated"
        case open311KeyRevoked = "open311.key.revoked"
        case attachmentRead = "case.attachment.read"
        case closureProposed = "case.closure.propose"
        case closureContact = "case.closure.contact"
        case closureApproved = "case.closure.approve"
        case closureCancelled = "case.closure.cancel"
        case caseClosed = "case.close"
        case caseReopened = "case.reopen"
        case noticeDrafted = "notice.draft"
        case noticePublished = "notice.publish"
        case caseReviewThresholdMet = "case.caseReview.threshold"
        case caseReviewApplication = "case.caseReview.apply"
        case caseReviewUpdate = "case.caseReview.update"
        case assessmentCreate = "case.assess"
        case milestoneMet = "case.milestone"
        case milestoneBreached = "case.breach"
        case homesSet = "settings.homes"
        case legalHold = "case.legalHold"
        case anonymised = "case.anonymised"
        case partyAnonymised = "party.anonymised"
        case subjectAccessExport = "party.subjectAccess"
        case partyAuditRead = "party.audit.read"
        case partySearch = "party.search"
        case feedbackRead = "feedback.read"
        case letterRead = "case.letter.read"
    }

    /// Records one event. `changes` names fields and their new coded values; never free text
    /// about people (that stays in the records themselves).
    static func record(
        _ action: Action, by actor: Actor, entityType: String, entityID: String, caseID: UUID? = nil,
        changes: [String: String] = [:], at: Date, requestID: String?, on db: any Database
    ) async throws {
        try await event(action, by: actor, entityType: entityType, entityID: entityID, caseID: caseID, changes: changes, at: at,
                        requestID: requestID).create(on: db)
    }

    /// Records reads of people's data (a case page, a search result, a letter): outside any
    /// transaction of the caller's, committed with the reads that arrive beside it
    /// (`ReadAudit`), and only then answered. Never call it inside a write transaction.
    static func recordRead(
        _ action: Action, by actor: Actor, entityType: String, entityID: String, caseID: UUID? = nil,
        changes: [String: String] = [:], at: Date, requestID: String?, env: ASBEnvironment, on db: any Database
    ) async throws {
        try await recordReads([event(action, by: actor, entityType: entityType, entityID: entityID, caseID: caseID, changes: changes,
                                     at: at, requestID: requestID)], env: env, on: db)
    }

    /// Records several reads' entries at once (`recordRead`).
    static func recordReads(_ events: [AuditEvent], env: ASBEnvironment, on db: any Database) async throws {
        guard !events.isEmpty else { return }
        try await env.readAudits.submit(.init(events: events, env: env, db: db))
    }

    /// Runs `reads` and records their audit `events` (`recordReads`), and answers once both are
    /// done. On an SQLite file the entries are written while the reads run: the write has a
    /// connection of its own (`SQLiteWriter`). On PostgreSQL one after the other: the group
    /// commit's transaction would take one of the event loop's few pooled connections that the
    /// reads need (the case page's p95 rose by 1-4 ms so). Not for reads of the audit trail: the
    /// entry could show in its own answer, or not, by chance.
    static func recordingReads<T>(_ events: [AuditEvent], env: ASBEnvironment, on db: any Database,
                                  while reads: () async throws -> T) async throws -> T {
        guard !events.isEmpty, env.writes.writer != nil else {
            let result = try await reads()
            try await recordReads(events, env: env, on: db)
            return result
        }
        async let recorded: Void = recordReads(events, env: env, on: db)
        let result = try await reads()
        try await recorded
        return result
    }

    /// The entry `record` writes, unsaved (demo data inserts many at once).
    static func event(
        _ action: Action, by actor: Actor, entityType: String, entityID: String, caseID: UUID? = nil,
        changes: [String: String] = [:], at: Date, requestID: String?
    ) throws -> AuditEvent {
        let event = AuditEvent()
        fill(event, action, by: actor, entityType: entityType, entityID: entityID, caseID: caseID, changes: changes, at: at,
             requestID: requestID)
        return event
    }

    /// Sets every column of a new entry, a new id among them: `event`'s work, also for one model
    /// written row after row (demo data's `DemoBatchBuilder`).
    static func fill(
        _ event: AuditEvent, _ action: Action, by actor: Actor, entityType: String, entityID: String, caseID: UUID? = nil,
        changes: [String: String] = [:], at: Date, requestID: String?
    ) {
        event.id = OrderedID.next(at: at)
        event.at = at
        event.$actor.id = actor.userID
        event.actorLabel = actor.label
        event.action = action.rawValue
        event.entityType = entityType
        event.entityID = entityID
        event.$asbCase.id = caseID
        event.changes = SortedJSON.object(changes)
        event.requestID = requestID
    }
}

/// Writes the audit entries of reads, many reads to a write transaction (`GroupCommit`).
///
/// Every staff read of a case or a person is audited, so on SQLite each page view or search
/// was a write of its own: a commit (an fsync) apiece, taken outside the write gate, where
/// concurrent readers' inserts met SQLite's write lock and retried in sqlite-nio's busy
/// handler (a spin). At 1,000,000 cases a case page's two entries were a third of its time.
/// Here the entries of the reads that arrive while one transaction runs go in the next one,
/// inside the write gate, one insert for them all; each read is answered after its entries
/// have committed, as before.
enum ReadAudit {
    /// Reads to one transaction at most (a person search has up to 50 entries).
    static let maxBatch = 64

    struct Job: Sendable {
        var events: [AuditEvent]
        var env: ASBEnvironment
        var db: any Database
    }

    typealias Group = GroupCommit<Job, Void>

    static func makeGroup(executor: (any TaskExecutor)?) -> Group {
        Group(maxBatch: maxBatch, executor: executor) { jobs in
            // The SQL and values are made before the write gate is taken.
            var insert = BulkInsert(for: jobs[0].db)
            try insert.add(jobs.flatMap(\.events))
            let statements = insert.statements
            let writes = jobs[0].env.writes
            if statements.count == 1 {
                // One insert (up to 400 entries) is a transaction by itself.
                try await writes.runAlone(on: jobs[0].db) { db in try await writes.insert(statements, on: db) }
            } else {
                try await writes.run(on: jobs[0].db, bulk: true) { db in try await writes.insert(statements, on: db) }
            }
            return jobs.map { _ in () }
        }
    }
}
