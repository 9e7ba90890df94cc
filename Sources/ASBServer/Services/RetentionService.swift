import ASBCore
import Fluent
import FluentSQL
import Foundation
import Vapor

/// Retention (UK GDPR storage limitation): once a closed case has passed the retention period
/// (`ASB_RETENTION_YEARS`, 6 by default) its personal data is anonymised: free text has the
/// names and contact details of its people taken out, places are reduced to the neighbourhood,
/// evidence files and sent messages are deleted, and each person whose every case has passed its
/// period loses their name, contact details, address and support needs. What the statistics read
/// (dates, priority, categories, milestones, neighbourhood, officer, outcome) stays. A legal hold
/// stops it for a case. `asb serve` runs it daily; `asb retention --dry-run` lists what it would do.
struct RetentionService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    struct Report: Sendable, Equatable, Codable {
        var today: String
        var years: Int
        var dryRun: Bool
        /// Cases anonymised (or, in a dry run, that would be).
        var cases: [String]
        /// People anonymised with them.
        var parties: Int
        /// People on those cases kept because another of their cases is still within its period or held.
        var partiesKept: Int
        /// Cases past their period but under a legal hold.
        var held: [String]
    }

    /// Free text on a case and its records: table, the rows that belong to the case, the columns.
    private static func freeText(_ caseID: UUID) -> [(table: String, rows: SQLQueryString, columns: [String])] {
        let own: SQLQueryString = "case_id = \(bind: caseID)"
        return [
            ("incident_reports", own, ["description"]),
            ("contact_log", own, ["summary"]),
            ("action_plans", own, ["notes", "how_agreed"]),
            ("plan_actions", "plan_id IN (SELECT id FROM action_plans WHERE case_id = \(bind: caseID))", ["what", "owner", "completion_note"]),
            ("closure_proposals", own, ["explanation", "withdrawal_how", "end_note"]),
            ("closure_contacts", "proposal_id IN (SELECT id FROM closure_proposals WHERE case_id = \(bind: caseID))", ["reasons"]),
            ("case_events", own, ["summary"]),
            ("case_milestones", own, ["met_note"]),
            ("case_review_applications", own, ["threshold_explanation", "outcome", "recommendations"]),
            ("enforcement_actions", own, ["outcome", "notes"]),
            ("witness_evidence", own, ["witness_name", "how_confirmed"]),
            ("referrals", own, ["reason", "lawful_basis"]),
            ("referral_updates", "referral_id IN (SELECT id FROM referrals WHERE case_id = \(bind: caseID))", ["text"]),
            ("lead_agency_decisions", own, ["reason"]),
            ("review_meetings", own, ["summary", "decisions"]),
            ("risk_assessments", own, ["override_reason"]),
            ("satisfaction_surveys", own, ["comments"]),
            ("feedback", own, ["text", "improvement_actions"]),
            ("internal_reviews", own, ["findings", "actions"]),
            ("dissatisfaction_reviews", own, ["findings"]),
        ]
    }

    func run(dryRun: Bool, batchSize: Int = 100) async throws -> Report {
        let now = env.clock.now()
        let years = env.config.retentionYears
        let today = LondonTime.localDateTime(for: now).date
        // Every case closed before this instant may be due; the exact rule is checked per case.
        let bound = LondonTime.startOfDay(LocalDate(year: today.year - years, month: today.month, day: 1)!.firstOfNextMonth)
        var report = Report(today: today.description, years: years, dryRun: dryRun, cases: [], parties: 0, partiesKept: 0, held: [])
        var after: (Date, UUID)?
        // Cancelled (the server stopping), it stops between batches; the next daily run goes on.
        while !Task.isCancelled {
            var query = ASBCase.query(on: db).filter(\.$closedAt != nil).filter(\.$closedAt < bound).filter(\.$anonymisedAt == nil)
            if let (closedAt, id) = after {
                query = query.group(.or) { $0.filter(\.$closedAt > closedAt).group(.and) { $0.filter(\.$closedAt == closedAt).filter(\.$id > id) } }
            }
            let batch = try await query.sort(\.$closedAt).sort(\.$id).limit(batchSize).all()
            for asbCase in batch {
                let state = Self.state(of: asbCase)
                if asbCase.legalHoldAt != nil {
                    if RetentionRules.CaseState(closedOn: state.closedOn, legalHold: false, anonymised: false).isDue(today: today, years: years) {
                        report.held.append(asbCase.reference)
                    }
                    continue
                }
                guard state.isDue(today: today, years: years) else { continue }
                let (anonymised, kept) = try await anonymise(asbCase, today: today, years: years, now: now, dryRun: dryRun)
                report.cases.append(asbCase.reference)
                report.parties += anonymised
                report.partiesKept += kept
            }
            guard batch.count == batchSize, let last = batch.last, let closedAt = last.closedAt else { break }
            after = (closedAt, try last.requireID())
        }
        if !dryRun, !report.cases.isEmpty {
            app.logger.notice("Retention anonymised cases", metadata: ["cases": "\(report.cases.count)", "parties": "\(report.parties)"])
        }
        return report
    }

    private static func state(of asbCase: ASBCase) -> RetentionRules.CaseState {
        .init(closedOn: asbCase.closedAt.map { LondonTime.localDateTime(for: $0).date }, legalHold: asbCase.legalHoldAt != nil,
              anonymised: asbCase.anonymisedAt != nil)
    }

    /// Anonymises one due case; returns how many of its people were anonymised and how many kept.
    private func anonymise(_ asbCase: ASBCase, today: LocalDate, years: Int, now: Date, dryRun: Bool) async throws -> (Int, Int) {
        let caseID = try asbCase.requireID()
        let links = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$party).all()
        let people = Dictionary(links.map { ($0.$party.id, $0.party) }, uniquingKeysWith: { a, _ in a })
        // Each person goes only when every case they are on has passed its period.
        var leaving: [Party] = []
        for (partyID, party) in people where party.anonymisedAt == nil {
            let theirCases = try await CaseParty.query(on: db).filter(\.$party.$id == partyID).with(\.$asbCase).all()
            let states = theirCases.map { $0.$asbCase.id == caseID ? Self.state(of: asbCase) : Self.state(of: $0.asbCase) }
            if RetentionRules.mayAnonymiseParty(cases: states, today: today, years: years) { leaving.append(party) }
        }
        let kept = people.values.filter { $0.anonymisedAt == nil }.count - leaving.count
        guard !dryRun else { return (leaving.count, kept) }

        let redaction = Redaction(names: people.values.compactMap(\.name),
                                  contacts: people.values.flatMap { [$0.email, $0.phone].compactMap { $0 } })
        let reference = asbCase.reference
        let leavingNow = leaving
        try await env.writes.run(on: db) { db in
            guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError, reason: "Retention needs an SQL database") }
            for (table, rows, columns) in Self.freeText(caseID) {
                let list = SQLQueryString(columns.map { "\($0)" }.joined(separator: ", "))
                for row in try await sql.raw("SELECT id, \(list) FROM \(ident: table) WHERE \(rows)").all() {
                    let id = try row.decode(column: "id", as: UUID.self)
                    for column in columns {
                        guard let text = try row.decode(column: column, as: String?.self), !text.isEmpty else { continue }
                        let redacted = redaction.redact(text)
                        guard redacted != text else { continue }
                        try await sql.raw("UPDATE \(ident: table) SET \(ident: column) = \(bind: redacted) WHERE id = \(bind: id)").run()
                    }
                }
            }
            // Places reduced to the neighbourhood; contact details on complaints; files and messages.
            try await sql.raw("UPDATE incident_reports SET location = NULL, postcode = NULL WHERE case_id = \(bind: caseID)").run()
            try await sql.raw("UPDATE feedback SET name = NULL, email = NULL, phone = NULL WHERE case_id = \(bind: caseID)").run()
            try await sql.raw("DELETE FROM attachment_contents WHERE attachment_id IN (SELECT id FROM attachments WHERE case_id = \(bind: caseID))").run()
            try await sql.raw("DELETE FROM attachments WHERE case_id = \(bind: caseID)").run()
            try await sql.raw("DELETE FROM outbox_messages WHERE case_id = \(bind: caseID)").run()
            asbCase.location = nil
            asbCase.postcode = nil
            asbCase.$property.id = nil
            asbCase.anonymisedAt = now
            asbCase.updatedAt = now
            asbCase.version += 1
            try await asbCase.save(on: db)
            for party in leavingNow {
                Self.strip(party, now: now)
                try await party.save(on: db)
                try await AuditLog.record(.partyAnonymised, by: .system, entityType: "party", entityID: try party.requireID().text,
                                          at: now, requestID: requestID, on: db)
            }
            try await CaseEvent(caseID: caseID, at: now, kind: .anonymised,
                                summary: "Personal data anonymised: \(years) years after closure (retention)", actorID: nil).create(on: db)
            try await AuditLog.record(.anonymised, by: .system, entityType: "case", entityID: reference, caseID: caseID,
                                      changes: ["parties": String(leavingNow.count), "kept": String(kept)], at: now, requestID: requestID, on: db)
        }
        return (leaving.count, kept)
    }

    /// What is left of a person: their part in the cases, no way to know who they were.
    static func strip(_ party: Party, now: Date) {
        party.name = nil
        party.nameKey = nil
        party.email = nil
        party.phone = nil
        party.address = nil
        party.addressKey = nil
        party.postcode = nil
        party.preferredContactTimes = nil
        party.language = nil
        party.supportNotes = nil
        party.tenancyReference = nil
        party.supportNeeds = []
        party.$property.id = nil
        party.anonymisedAt = now
        party.updatedAt = now
    }

    // MARK: Legal hold

    /// Places (with a reason) or lifts a legal hold on a case; team leaders and admins.
    func setLegalHold(on reference: String, reason rawReason: String?, hold: Bool, by actor: Actor) async throws -> ASBCase {
        guard let user = actor.user, [.teamLeader, .admin].contains(user.role) else {
            throw AppError.forbidden("Only a team leader or an admin places or lifts a legal hold.")
        }
        guard let asbCase = try await ASBCase.query(on: db).filter(\.$reference == reference).first() else {
            throw AppError.notFound("There is no case \(reference).")
        }
        let reason = rawReason?.trimmingWhitespace() ?? ""
        if hold {
            guard !reason.isEmpty, reason.count <= 2000 else {
                throw ValidationFailure([FieldError("reason", "Say why the case must be kept (up to 2,000 characters).")])
            }
        }
        guard asbCase.anonymisedAt == nil else {
            throw RuleViolation(code: "retention.alreadyAnonymised", clause: nil, reason: "This case's personal data has already been anonymised.")
        }
        let now = env.clock.now()
        let caseID = try asbCase.requireID()
        asbCase.legalHoldAt = hold ? now : nil
        asbCase.legalHoldReason = hold ? reason : nil
        asbCase.$legalHoldBy.id = hold ? user.id : nil
        asbCase.updatedAt = now
        asbCase.version += 1
        try await env.writes.run(on: db) { db in
            try await asbCase.save(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: hold ? .legalHoldPlaced : .legalHoldLifted,
                                summary: hold ? "Legal hold placed: kept beyond the retention period" : "Legal hold lifted", actorID: user.id)
                .create(on: db)
            try await AuditLog.record(.legalHold, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["hold": String(hold)], at: now, requestID: requestID, on: db)
        }
        return asbCase
    }
}
