import ASBCore
import Fluent
import FluentSQL
import Foundation
import Synchronization
import Vapor

/// Risk assessment (SS-RT-1): provisional at intake from the reporter's answers, then an
/// officer's assessment that confirms or overrides it. Each sets the priority and the deadlines.
struct AssessmentService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct Submission {
        var answers: [String: String]
        var priority: Priority?
        var overrideReason: String?
        var notASB: Bool?
        var expectedVersion: Int?
    }

    /// An officer assesses (or reassesses) a case. A changed priority recomputes the deadlines
    /// from the first receipt; an assessed and allocated case opens.
    func assess(_ reference: String, _ submission: Submission, by actor: Actor) async throws -> CaseService.Detail {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        guard user.role.may(.updateCase) else { throw AppError.forbidden() }
        let cases = CaseService(app: app, db: db, requestID: requestID)
        let asbCase = try await cases.findReadable(reference, by: actor)
        guard CaseAccess.canUpdate(role: user.role, relation: try await cases.relation(of: asbCase, to: user),
                                   caseIsAllocated: asbCase.$allocatedOfficer.id != nil)
        else { throw AppError.forbidden("Only the allocated officer or a team leader can assess this case.") }
        try CaseLifecycle.checkCasework(.assessRisk, on: asbCase.status)
        if let expected = submission.expectedVersion, expected != asbCase.version { throw AppError.staleVersion }

        let notASB = submission.notASB ?? asbCase.notASB
        // Immediate danger at intake is the reporter's word at the time; the officer's answers now stand for it.
        let result: RiskResult
        do {
            result = try RiskAssessment.assess(submission.answers, hate: asbCase.hate, immediateDanger: false, notASB: notASB)
        } catch {
            // Here the answers arrive as `answers`, not as a report's `riskAnswers`.
            throw ValidationFailure(error.errors.map {
                FieldError($0.field.replacingOccurrences(of: "riskAnswers.", with: "answers."), $0.message)
            })
        }
        let priority = try RiskAssessment.decidePriority(computed: result, override: submission.priority,
                                                         reason: submission.overrideReason, hate: asbCase.hate)
        let overridden = priority != result.priority
        let calendar = try await CalendarService(app: app, db: db, requestID: requestID).calendar()
        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        let version = asbCase.version

        try await env.writes.run(on: db) { db in
            guard try await CaseService.claimVersion(caseID: caseID, expected: version, on: db) else {
                throw AppError.staleVersion
            }
            let service = AssessmentService(app: app, db: db, requestID: requestID)
            try await service.save(result, priority: priority, overrideReason: overridden ? submission.overrideReason : nil,
                                   notASB: notASB, source: .officer, for: asbCase, by: actor, now: now)
            asbCase.riskLevel = result.level
            asbCase.notASB = notASB
            let change = try await CaseClock(db: db, requestID: requestID)
                .apply(priority: priority, source: overridden ? .override : .assessed, to: asbCase, calendar: calendar,
                       now: now, actor: actor)
            if let reporter = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID)
                .filter(\.$role == .reporter).with(\.$party).first()?.party {
                try await service.addSupportNeeds(result.supportNeeds, to: reporter)
            }
            var summary = "Risk assessed as \(result.level.rawValue) (score \(result.score)), priority \(priority.rawValue)"
            if overridden { summary += " by override" }
            try await CaseEvent(caseID: caseID, at: now, kind: .assessed, summary: summary, actorID: user.id).create(on: db)
            if let change {
                try await CaseEvent(caseID: caseID, at: now, kind: .priorityChanged, summary: change, actorID: user.id).create(on: db)
            }
            var audit = ["priority": String(priority.rawValue), "level": result.level.rawValue, "score": String(result.score)]
            if overridden { audit["override"] = "true" }
            if let status = try await CaseService.openIfReady(asbCase, by: actor, now: now, requestID: requestID, on: db) {
                audit["status"] = status.rawValue
            }
            asbCase.version = version + 1
            asbCase.updatedAt = now
            try await asbCase.save(on: db)
            try await AuditLog.record(.assessmentCreate, by: actor, entityType: "case", entityID: asbCase.reference,
                                      caseID: caseID, changes: audit, at: now, requestID: requestID, on: db)
        }
        return try await cases.load(asbCase)
    }

    func list(_ reference: String, by actor: Actor) async throws -> [RiskAssessmentRecord] {
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
        return try await RiskAssessmentRecord.query(on: db).filter(\.$asbCase.$id == asbCase.requireID())
            .with(\.$assessedBy).sort(\.$assessedAt, .descending).sort(\.$id, .descending).limit(100).all()
    }

    // MARK: Storage

    func save(_ result: RiskResult, priority: Priority, overrideReason: String?, notASB: Bool,
                      source: RiskAssessmentRecord.Source, for asbCase: ASBCase, by actor: Actor, now: Date) async throws {
        if !env.questionnaires.isStored(RiskQuestionnaire.standard.version) {
            try await Self.storeQuestionnaire(.standard, now: now, on: db)
        }
        let record = try Self.record(result, priority: priority, overrideReason: overrideReason, notASB: notASB, source: source,
                                     caseID: asbCase.requireID(), by: actor, now: now)
        try await record.create(on: db)
    }

    /// An assessment record, unsaved.
    static func record(_ result: RiskResult, priority: Priority, overrideReason: String?, notASB: Bool,
                       source: RiskAssessmentRecord.Source, caseID: UUID, by actor: Actor, now: Date) throws -> RiskAssessmentRecord {
        let record = RiskAssessmentRecord()
        record.id = OrderedID.next(at: now)
        record.$asbCase.id = caseID
        record.questionnaireVersion = result.questionnaireVersion
        record.answers = SortedJSON.object(result.answers)
        record.score = result.score
        record.level = result.level
        record.computedPriority = result.priority
        record.priority = priority
        record.overrideReason = overrideReason
        record.reasons = result.reasons
        record.supportNeeds = result.supportNeeds
        record.notASB = notASB
        record.source = source
        record.$assessedBy.id = actor.userID
        record.assessedAt = now
        return record
    }

    /// Keeps each questionnaire version that scored an assessment, so every score can be explained.
    static func storeQuestionnaire(_ questionnaire: RiskQuestionnaire, now: Date, on db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        let encoder = JSONEncoder.sorted
        let definition = String(decoding: try encoder.encode(questionnaire), as: UTF8.self)
        try await sql.raw("""
            INSERT INTO risk_questionnaires (version, definition, created_at) VALUES (\(bind: questionnaire.version), \(bind: definition), \(bind: now))
            ON CONFLICT (version) DO NOTHING
            """).run()
    }

    /// Stores the questionnaire this version of the application scores with, outside any
    /// transaction, and remembers that it is stored so assessments need not store it again.
    static func storeCurrentQuestionnaire(in app: Application) async throws {
        try await storeQuestionnaire(.standard, now: app.asb.clock.now(), on: app.db)
        app.asb.questionnaires.markStored(RiskQuestionnaire.standard.version)
    }

    func addSupportNeeds(_ needs: [SupportNeed], to party: Party) async throws {
        let merged = (party.supportNeeds + needs).uniqued()
        guard merged != party.supportNeeds else { return }
        party.supportNeeds = merged
        try await party.save(on: db)
    }
}

/// The questionnaire versions known to be stored (committed) in the database, so that each
/// assessment need not write its questionnaire again. Only what was committed outside any
/// transaction is marked; anything else is simply stored again (the store is idempotent).
final class StoredQuestionnaires: Sendable {
    private let versions = Mutex<Set<String>>([])

    func isStored(_ version: String) -> Bool { versions.withLock { $0.contains(version) } }
    func markStored(_ version: String) { _ = versions.withLock { $0.insert(version) } }
}
