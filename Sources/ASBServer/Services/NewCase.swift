import ASBCore
import Fluent
import FluentSQL
import Foundation

/// A new case from a report, built in memory before its write transaction: the people, the case,
/// their links, the incident, the provisional assessment and the deadlines. What needs the case's
/// reference (the case's own fields, the timeline, the audit entry, the messages, the receipt) is
/// made by `rows(reference:)` inside the write, once the reference is allocated.
///
/// `NewCaseWriter` writes many of them to one transaction; a follow-up of a closed case, which
/// reads inside its transaction, is written by `IntakeService` in its own with `NewCaseWriter.insert`.
struct NewCase: Sendable {
    /// A new case after a closed one (the Regulator's TSM counts it as a new case): its people carry over.
    struct FollowUp {
        var previous: ASBCase
        var carriedLinks: [CaseParty]
    }

    let report: ValidReport
    let risk: RiskResult
    let actor: Actor
    let now: Date
    let accessCode: String
    let requestID: String?
    let idempotency: IntakeService.IdempotencyClaim?
    let followUp: FollowUp?
    /// The active team leaders, told of a priority 1 case.
    let leaders: [User]

    let asbCase: ASBCase
    let reporter: Party?
    let perpetrator: Party?
    /// The people first recorded by this report.
    let newParties: [Party]
    let links: [CaseParty]
    let incident: IncidentReport
    let assessment: RiskAssessmentRecord
    let milestones: [CaseMilestone]
    /// The ASB Case Review threshold, when this report alone meets it.
    let caseReview: CaseReviewThresholdResult?

    var caseID: UUID { asbCase.id! }

    init(_ report: ValidReport, risk: RiskResult, places: IntakeService.Places, calendar: WorkingCalendar, by actor: Actor,
         now: Date, accessCode: String, leaders: [User], followUp: FollowUp? = nil, idempotency: IntakeService.IdempotencyClaim?,
         caseReviewConfig: CaseReviewThresholdConfig, requestID: String?) throws {
        self.report = report
        self.risk = risk
        self.actor = actor
        self.now = now
        self.accessCode = accessCode
        self.requestID = requestID
        self.idempotency = idempotency
        self.followUp = followUp
        self.leaders = leaders

        var parties: [Party] = []
        func party(_ person: ValidReport.Person, home: Property?) -> Party {
            let party = Party(person: person, property: home, now: now)
            party.id = OrderedID.next(at: now)
            parties.append(party)
            return party
        }
        var reporter: Party?
        if let followUp {
            reporter = followUp.carriedLinks.first { $0.role == .reporter }?.party
        } else if let person = report.reporter {
            reporter = party(person, home: places.reporterHome)
            // The support needs the reporter's answers show (SS-SUP-1), recorded with them.
            reporter?.supportNeeds = risk.supportNeeds.uniqued()
        }
        var perpetrator: Party?
        if let person = report.allegedPerpetrator, person.name != nil || person.address != nil {
            perpetrator = party(person, home: places.perpetratorHome)
        }
        self.reporter = reporter
        self.perpetrator = perpetrator
        newParties = parties

        let asbCase = IntakeService.makeCase(report, place: places.place, accessCode: accessCode, now: now)
        let caseID = OrderedID.next(at: now)
        asbCase.id = caseID
        asbCase.$followUpOf.id = followUp?.previous.id
        // The reporter's answers give the provisional priority and the deadlines (SS-RT-1..4).
        asbCase.riskLevel = risk.level
        milestones = CaseClock.reconcile(priority: risk.priority, source: .provisional, of: asbCase, existing: [],
                                         calendar: calendar, now: now).saved
        self.asbCase = asbCase

        var links: [CaseParty] = []
        func link(_ partyID: UUID, _ role: PartyRole) {
            let link = CaseParty(caseID: caseID, partyID: partyID, role: role, now: now)
            link.id = OrderedID.next(at: now)
            links.append(link)
        }
        if let followUp {
            for carried in followUp.carriedLinks { link(carried.$party.id, carried.role) }
        } else if let reporter {
            link(reporter.id!, .reporter)
        }
        if let perpetrator { link(perpetrator.id!, .allegedPerpetrator) }
        self.links = links

        incident = IntakeService.makeIncident(report, riskAnswers: risk.answers, caseID: caseID, reporterID: reporter?.id,
                                              by: actor, now: now)
        incident.id = OrderedID.next(at: now)
        assessment = try AssessmentService.record(risk, priority: risk.priority, overrideReason: nil, notASB: false, source: .intake,
                                                  caseID: caseID, by: actor, now: now)
        let threshold = CaseReviewService.threshold(of: [incident], on: LondonTime.localDateTime(for: now).date,
                                                    config: caseReviewConfig)
        caseReview = threshold.met ? threshold : nil
    }

    /// The rows of a batch of new cases, table by table.
    struct Rows {
        var parties: [Party] = []
        var cases: [ASBCase] = []
        var links: [CaseParty] = []
        var incidents: [IncidentReport] = []
        var assessments: [RiskAssessmentRecord] = []
        var milestones: [CaseMilestone] = []
        var events: [CaseEvent] = []
        var audit: [AuditEvent] = []
        var messages: [OutboxMessage] = []
        var idempotency: [IdempotencyRecord] = []

        /// The inserts, parents first.
        func statements(for db: any Database) throws -> [BulkInsert.Statement] {
            var insert = BulkInsert(for: db)
            try add(to: &insert)
            return insert.statements
        }

        func add(to insert: inout BulkInsert) throws {
            try insert.add(parties)
            try insert.add(cases)
            try insert.add(links)
            try insert.add(incidents)
            try insert.add(assessments)
            try insert.add(milestones)
            try insert.add(events)
            try insert.add(audit)
            try insert.add(messages)
            try insert.add(idempotency)
        }
    }

    /// Adds the case's rows with `reference` to `rows`, and answers the receipt. It can run again
    /// with another reference (a batch that failed is written again case by case).
    func rows(reference: CaseReference, env: ASBEnvironment, on db: any Database, into rows: inout Rows) throws -> IntakeService.Receipt {
        asbCase.assign(reference)
        rows.parties += newParties
        rows.cases.append(asbCase)
        rows.links += links
        rows.incidents.append(incident)
        rows.assessments.append(assessment)
        rows.milestones += milestones

        let actorID = actor.userID
        rows.events.append(CaseEvent(caseID: caseID, at: now, kind: .reported, summary: IntakeService.reportedSummary(report),
                                     actorID: actorID))
        if let previous = followUp?.previous {
            rows.events.append(CaseEvent(caseID: caseID, at: now, kind: .followUpOpened,
                                         summary: "Follows \(previous.reference), which was closed", actorID: actorID))
            rows.events.append(CaseEvent(caseID: try previous.requireID(), at: now, kind: .followUpOpened,
                                         summary: "A new report after closure opened \(reference)", actorID: actorID))
        }
        var changes = ["channel": report.channel.rawValue, "status": CaseStatus.received.rawValue,
                       "anonymous": String(report.isAnonymous)]
        if let priority = asbCase.priority { changes["priority"] = String(priority.rawValue) }
        changes["riskLevel"] = risk.level.rawValue
        rows.audit.append(try AuditLog.event(.caseCreate, by: actor, entityType: "case", entityID: reference.description,
                                             caseID: caseID, changes: changes, at: now, requestID: requestID))
        if let caseReview {
            let (event, audit) = try CaseReviewService.markThresholdMet(of: asbCase, caseReview, now: now, by: actor,
                                                                       requestID: requestID)
            rows.events.append(event)
            rows.audit.append(audit)
        }

        // The acknowledgement to the reporter, and the team leaders' alert for a priority 1 case.
        let deadlines = milestones.sorted { $0.dueAt < $1.dueAt }
        let outbox = Outbox(env: env, db: db)
        if let reporter, let message = try outbox.reporterMessage(.acknowledgement, of: asbCase, reporter: reporter,
                                                                  dedupe: caseID.uuidString, now: now, {
            $0.deadlines = deadlines.map { .init(milestone: $0.milestone.displayName, due: CaseClock.describeDue($0.dueAt)) }
            $0.emergencyAdvice = report.immediateDanger ? IntakeTriage.emergencyAdvice : nil
        }) {
            rows.messages.append(message)
        }
        if asbCase.priority == .p1 {
            rows.messages += try outbox.staffMessages(.newPriorityOneCase, leaders, about: asbCase, dedupe: caseID.uuidString, now: now) {
                $0.due = deadlines.first.map { CaseClock.describeDue($0.dueAt) }
            }
        }

        let receipt = IntakeService.Receipt(reference: reference.description, accessCode: accessCode, status: .received,
                                            priority: asbCase.priority, receivedAt: report.receivedAt, incidentID: incident.id!,
                                            emergencyAdvice: report.immediateDanger ? IntakeTriage.emergencyAdvice : nil)
        if let idempotency {
            rows.idempotency.append(try IntakeService.idempotencyRecord(receipt, for: idempotency, now: now,
                                                                        lifetime: env.config.idempotencyLifetime))
        }
        return receipt
    }
}
