import ASBCore
import Fluent
import FluentSQL
import FluentSQLiteDriver
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
    /// The timeline's first entry.
    let reported: CaseEvent
    /// On SQLite, rows above converted to SQLite's values before the write (`convert(for:)`), by table.
    private(set) var converted: [String: BulkInsert.SQLiteRows]?

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
        reported = CaseEvent(caseID: caseID, at: now, kind: .reported, summary: IntakeService.reportedSummary(report),
                             actorID: actor.userID)
    }

    /// On SQLite, converts the rows that do not need the reference (all but the case's own, the
    /// audit entry, the messages and the idempotency record) to SQLite's values now, before the
    /// write: the write transaction, which every report waits for in turn, then only joins them.
    mutating func convert(for db: any Database) throws {
        guard db is any SQLiteDatabase else { return }
        let encoder = SQLiteDataEncoder()
        var tables: [String: BulkInsert.SQLiteRows] = [:]
        func add<M: Model>(_ models: [M]) throws { tables[M.schema] = try BulkInsert.SQLiteRows(models, encoder: encoder) }
        try add(newParties)
        try add(links)
        try add([incident])
        try add([assessment])
        try add(milestones)
        try add([reported])
        converted = tables
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
        /// On SQLite, the rows the cases converted before the write (`NewCase.convert(for:)`; demo
        /// data's builder converts each case's rows, its own tables too), by table.
        var converted: [String: BulkInsert.SQLiteRows] = [:]

        /// The inserts, parents first.
        func statements(for db: any Database) throws -> [BulkInsert.Statement] {
            var insert = BulkInsert(for: db)
            try add(to: &insert)
            return insert.statements
        }

        func add(to insert: inout BulkInsert) throws {
            try add(parties, to: &insert)
            try add(cases, to: &insert)
            try add(links, to: &insert)
            try add(incidents, to: &insert)
            try add(assessments, to: &insert)
            try add(milestones, to: &insert)
            try add(events, to: &insert)
            try add(audit, to: &insert)
            try add(messages, to: &insert)
            try add(idempotency, to: &insert)
        }

        /// Adds a table's converted rows, then its models (demo data's builder adds its own tables so).
        func add<M: Model>(_ models: [M], to insert: inout BulkInsert) throws {
            if let rows = converted[M.schema] { insert.add(rows) }
            try insert.add(models)
        }

        mutating func add(_ tables: [String: BulkInsert.SQLiteRows]) throws {
            for (table, rows) in tables {
                if converted[table] == nil {
                    converted[table] = rows
                } else {
                    try converted[table]!.append(rows)
                }
            }
        }
    }

    /// Adds the case's rows with `reference` to `rows`, and answers the receipt. It can run again
    /// with another reference (a batch that failed is written again case by case).
    func rows(reference: CaseReference, env: ASBEnvironment, on db: any Database, into rows: inout Rows) throws -> IntakeService.Receipt {
        asbCase.assign(reference)
        rows.cases.append(asbCase)
        if let converted {
            try rows.add(converted)
        } else {
            rows.parties += newParties
            rows.links += links
            rows.incidents.append(incident)
            rows.assessments.append(assessment)
            rows.milestones += milestones
            rows.events.append(reported)
        }

        let actorID = actor.userID
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
                                                                  dedupe: caseID.text, now: now, {
            $0.deadlines = deadlines.map { .init(milestone: $0.milestone.displayName, due: CaseClock.describeDue($0.dueAt)) }
            $0.emergencyAdvice = report.immediateDanger ? IntakeTriage.emergencyAdvice : nil
        }) {
            rows.messages.append(message)
        }
        if asbCase.priority == .p1 {
            rows.messages += try outbox.staffMessages(.newPriorityOneCase, leaders, about: asbCase, dedupe: caseID.text, now: now) {
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
