import ASBCore
import Fluent
import Foundation
import Vapor

/// The ASB Case Review, the "community trigger" (2014 Act s.104; SS-PRT-1): each case is checked
/// on every report; a case meeting the local threshold is flagged, and its officer and the
/// reporter are told of the right to apply through the Community Safety Partnership.
struct CaseReviewService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    static let howToApply =
        "You can ask for an ASB Case Review (the community trigger) through the Community Safety Partnership: "
        + "ask your officer or the council's community safety team, by phone, email or letter. "
        + "The partnership reviews how the case has been handled and tells you the outcome within 10 working days of its meeting."

    /// Checks the case after a report; flags it once when the threshold is met.
    /// `incidents`: every incident of the case, when the caller already has them (a case created
    /// in this transaction); otherwise they are read.
    func check(_ asbCase: ASBCase, now: Date, by actor: Actor, incidents known: [IncidentReport]? = nil) async throws {
        guard asbCase.caseReviewStatus == nil else { return }
        let incidents = if let known { known } else { try await Self.incidents(of: asbCase.requireID(), on: db) }
        guard let (event, audit) = try Self.markThreshold(of: asbCase, incidents: incidents, now: now, by: actor,
                                                          config: env.config.caseReview, requestID: requestID)
        else { return }
        try await asbCase.save(on: db)
        try await event.create(on: db)
        try await audit.create(on: db)
    }

    /// `check` on a case in memory: when its incidents meet the threshold, marks the case and
    /// returns the timeline and audit entries to store with it (nil when the threshold is not met).
    static func markThreshold(of asbCase: ASBCase, incidents: [IncidentReport], now: Date, by actor: Actor,
                              config: CaseReviewThresholdConfig, requestID: String?) throws -> (CaseEvent, AuditEvent)? {
        guard asbCase.caseReviewStatus == nil else { return nil }
        let result = threshold(of: incidents, on: LondonTime.localDateTime(for: now).date, config: config)
        guard result.met else { return nil }
        return try markThresholdMet(of: asbCase, result, now: now, by: actor, requestID: requestID)
    }

    /// Marks a case in memory as meeting the threshold (`result`), and returns the timeline and
    /// audit entries to store with it.
    static func markThresholdMet(of asbCase: ASBCase, _ result: CaseReviewThresholdResult, now: Date, by actor: Actor,
                                 requestID: String?) throws -> (CaseEvent, AuditEvent) {
        let caseID = try asbCase.requireID()
        asbCase.caseReviewStatus = .thresholdMet
        asbCase.caseReviewMetAt = now
        asbCase.caseReviewDueAt = now
        let event = CaseEvent(caseID: caseID, at: now, kind: .caseReviewThresholdMet,
                              summary: "ASB Case Review threshold met: \(result.explanation) The reporter is told of the right to apply.",
                              actorID: actor.userID)
        let audit = try AuditLog.event(.caseReviewThresholdMet, by: actor, entityType: "case", entityID: asbCase.reference,
                                       caseID: caseID, changes: ["qualifyingReports": String(result.qualifyingReports)], at: now,
                                       requestID: requestID)
        return (event, audit)
    }

    private static func incidents(of caseID: UUID, on db: any Database) async throws -> [IncidentReport] {
        try await IncidentReport.query(on: db).filter(\.$asbCase.$id == caseID).limit(1000).all()
    }

    func evaluate(_ caseID: UUID, on day: LocalDate) async throws -> CaseReviewThresholdResult {
        Self.threshold(of: try await Self.incidents(of: caseID, on: db), on: day, config: env.config.caseReview)
    }

    /// The threshold (ASBCore's `CaseReviewThreshold`) over a case's incidents.
    static func threshold(of incidents: [IncidentReport], on day: LocalDate,
                          config: CaseReviewThresholdConfig) -> CaseReviewThresholdResult {
        let candidates = incidents.map {
            QualifyingReportCandidate(receivedOn: LondonTime.localDateTime(for: $0.receivedAt).date,
                                      occurredOn: $0.occurredOn.flatMap { LocalDate(iso: $0) }, hate: $0.hate)
        }
        return CaseReviewThreshold.evaluate(candidates, today: day, config: config)
    }

    func applications(of reference: String, by actor: Actor) async throws -> [CaseReviewApplication] {
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor)
        return try await CaseReviewApplication.query(on: db).filter(\.$asbCase.$id == asbCase.requireID())
            .sort(\.$createdAt, .descending).limit(50).all()
    }

    /// Records an application; whether the threshold was met (and why) is decided as of the application date.
    func apply(on reference: String, appliedOn rawDate: String?, applicantPartyID: UUID?, by actor: Actor) async throws -> [CaseReviewApplication] {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        let caseID = try asbCase.requireID()
        let now = env.clock.now()
        let today = LondonTime.localDateTime(for: now).date
        var errors: [FieldError] = []
        var appliedOn = today
        if let rawDate {
            if let date = LocalDate(iso: rawDate), date <= today { appliedOn = date } else {
                errors.append(FieldError("appliedOn", "Enter the date of the application, not in the future, as YYYY-MM-DD."))
            }
        }
        let links = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).all()
        if links.first(where: { $0.role == .reporter }) == nil {
            throw RuleViolation(code: "caseReview.anonymous", clause: "SS-PRT-1", reason: CaseReviewThreshold.anonymousCannotApply)
        }
        let applicant = applicantPartyID ?? links.first { $0.role == .reporter }?.$party.id
        if let applicantPartyID, !links.contains(where: { $0.$party.id == applicantPartyID }) {
            errors.append(FieldError("applicantPartyId", "The applicant is someone on the case."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let result = try await evaluate(caseID, on: appliedOn)
        var met = result.met
        var explanation = result.explanation
        if met, let latest = result.latestQualifyingReportOn,
           !CaseReviewThreshold.isWithinApplicationWindow(appliedOn: appliedOn, latestQualifyingReportOn: latest, config: env.config.caseReview) {
            met = false
            explanation += " The application came more than \(env.config.caseReview.applicationWindowMonths) months after the reports."
        }
        let application = CaseReviewApplication()
        application.id = OrderedID.next(at: now)
        application.$asbCase.id = caseID
        application.$applicant.id = applicant
        application.appliedOn = appliedOn.description
        application.thresholdMet = met
        application.thresholdExplanation = explanation
        application.$recordedBy.id = user.id
        application.createdAt = now
        let finalMet = met
        let applied = appliedOn
        try await env.writes.run(on: db) { db in
            try await application.create(on: db)
            if finalMet {
                asbCase.caseReviewStatus = .applied
                asbCase.caseReviewDueAt = now
                try await asbCase.save(on: db)
            }
            try await CaseEvent(caseID: caseID, at: now, kind: .caseReviewApplied,
                                summary: "ASB Case Review applied for on \(applied): threshold \(finalMet ? "met" : "not met")",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.caseReviewApplication, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["thresholdMet": String(finalMet)], at: now, requestID: requestID, on: db)
        }
        return try await applications(of: reference, by: actor)
    }

    /// Records the review meeting (the outcome is then due within 10 working days), the outcome and
    /// recommendations, and when they reached the applicant.
    func update(on reference: String, application id: UUID, meetingOn: String?, outcome: String?, recommendations: String?,
                outcomeSentOn: String?, by actor: Actor) async throws -> [CaseReviewApplication] {
        let (asbCase, user) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        let caseID = try asbCase.requireID()
        guard let application = try await CaseReviewApplication.query(on: db).filter(\.$id == id).filter(\.$asbCase.$id == caseID).first()
        else { throw AppError.notFound("No such application on this case.") }
        var errors: [FieldError] = []
        let meeting = meetingOn.flatMap { LocalDate(iso: $0) }
        if meetingOn != nil && meeting == nil { errors.append(FieldError("meetingOn", "Enter the date as YYYY-MM-DD.")) }
        let sent = outcomeSentOn.flatMap { LocalDate(iso: $0) }
        if outcomeSentOn != nil && sent == nil { errors.append(FieldError("outcomeSentOn", "Enter the date as YYYY-MM-DD.")) }
        if sent != nil && (outcome ?? application.outcome) == nil {
            errors.append(FieldError("outcome", "Record the outcome before saying it was sent."))
        }
        for (field, text) in [("outcome", outcome), ("recommendations", recommendations)] where (text?.count ?? 0) > 5000 {
            errors.append(FieldError(field, "Keep this to 5,000 characters."))
        }
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let calendar = try await CalendarService(app: app, db: db, requestID: requestID).calendar()
        try await env.writes.run(on: db) { db in
            if let meeting {
                application.meetingOn = meeting.description
                // The outcome must reach the applicant by the end of the 10th working day after the meeting.
                application.outcomeDueAt = ServiceClock.dueAt(receivedAt: LondonTime.startOfDay(meeting), rule: .workingDays(10),
                                                              calendar: calendar)
                asbCase.caseReviewStatus = .outcomeDue
                asbCase.caseReviewDueAt = application.outcomeDueAt
            }
            if let outcome { application.outcome = outcome.trimmingWhitespace() }
            if let recommendations { application.recommendations = recommendations.trimmingWhitespace() }
            if let sent {
                application.outcomeSentOn = sent.description
                asbCase.caseReviewStatus = .outcomeSent
                asbCase.caseReviewDueAt = nil
            }
            try await application.save(on: db)
            try await asbCase.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .caseReviewUpdated,
                                summary: sent != nil ? "ASB Case Review outcome sent to the applicant on \(sent!)"
                                    : meeting != nil ? "ASB Case Review meeting on \(meeting!); outcome due within 10 working days"
                                    : "ASB Case Review updated",
                                actorID: user.id).create(on: db)
            try await AuditLog.record(.caseReviewUpdate, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["applicationId": id.text], at: now, requestID: requestID, on: db)
        }
        return try await applications(of: reference, by: actor)
    }
}
