@testable import ASBServer
import ASBCore
import Fluent
import FluentSQLiteDriver
import Foundation
import Testing
import Vapor

/// The reads of a case page are written in plain SQL (`Model.stored`, `loadParents`,
/// `loadChildren`) rather than with Fluent's query builder, for speed. These tests hold them to
/// what the query builder reads: the same rows, in the same order, with the same related rows
/// loaded, compared as JSON (a Fluent model encodes every field and every loaded relation).
@Suite("Plain-SQL reads")
struct PlainSQLReadTests {
    static let now = ISO8601DateFormatter().date(from: "2026-11-23T09:00:00Z")!

    /// Runs `body` on `count` demo cases (by reference), read as a team leader.
    static func withDemoCases(_ count: Int, seed: UInt64, _ body: (TestApp, Actor, [ASBCase]) async throws -> Void) async throws {
        try await TestApp.run(clock: TestClock(now)) { t in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: count, seed: seed))
            let (_, leader) = try await t.staffToken(.teamLeader)
            try await body(t, .staff(leader), try await ASBCase.query(on: t.app.db).sort(\.$reference).all())
        }
    }

    @Test("A case's detail, plan, contacts, closure, timeline and audit trail read in plain SQL are what Fluent's query builder reads")
    func caseReadsMatchFluent() async throws {
        try await Self.withDemoCases(120, seed: 11) { t, actor, all in
            let db = t.app.db
            let references = all.map(\.reference)
            // The demo data puts few people on more than one case: put five people on several more.
            let people = try await CaseParty.query(on: db).limit(5).all()
            for (i, link) in people.enumerated() {
                for other in all.dropFirst(i * 7).prefix(4 + i) where other.id != link.$asbCase.id {
                    let extra = CaseParty()
                    extra.$asbCase.id = try other.requireID()
                    extra.$party.id = link.$party.id
                    extra.role = PartyRole.allCases[(i + 1) % PartyRole.allCases.count]
                    extra.createdAt = Self.now
                    try await extra.create(on: db)
                }
            }
            var compared = (parties: 0, otherCases: 0, incidents: 0, plans: 0, log: 0, proposals: 0, events: 0)
            for reference in references {
                let cases = CaseService(app: t.app, db: db, requestID: nil)
                let detail = try await cases.detail(reference, by: actor)
                let asbCase = try #require(try await ASBCase.query(on: db).filter(\.$reference == reference)
                    .with(\.$neighbourhood).with(\.$allocatedOfficer).with(\.$leadAgency).with(\.$followUpOf).first())
                let caseID = try asbCase.requireID()
                #expect(try json(detail.asbCase) == json(asbCase), "\(reference): the case")

                let parties = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$party)
                    .sort(\.$createdAt).limit(500).all()
                #expect(try json(detail.parties) == json(parties), "\(reference): parties")
                let incidents = try await IncidentReport.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$recordedBy)
                    .sort(\.$receivedAt, .descending).limit(200).all().reversed()
                #expect(try json(detail.incidents) == json(Array(incidents)), "\(reference): incidents")
                let deadlines = try await CaseMilestone.query(on: db).filter(\.$asbCase.$id == caseID).sort(\.$dueAt).limit(20).all()
                #expect(try json(detail.deadlines) == json(deadlines), "\(reference): deadlines")
                let history = try await LeadAgencyDecision.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$agency)
                    .with(\.$decidedBy).sort(\.$decidedAt, .descending).sort(\.$id, .descending).limit(50).all()
                #expect(try json(detail.leadAgencyHistory) == json(history), "\(reference): lead agency")
                let followUps = try await ASBCase.query(on: db).filter(\.$followUpOf.$id == caseID).sort(\.$receivedAt).all()
                #expect(detail.followUps == followUps.map(\.reference), "\(reference): follow-ups")
                // Each person's other cases: every case they are on but this one, newest first.
                for party in Set(parties.map { $0.$party.id }) {
                    let links = try await CaseParty.query(on: db).filter(\.$party.$id == party).with(\.$asbCase).all()
                        .filter { $0.asbCase.reference != reference }
                        .sorted { $0.asbCase.receivedAt > $1.asbCase.receivedAt }
                    let listed = detail.otherCases[party] ?? []
                    compared.otherCases += listed.count
                    #expect(listed.map(\.reference) == links.prefix(20).map(\.asbCase.reference), "\(reference): cases of \(party)")
                    #expect(listed.map(\.role) == links.prefix(20).map(\.role) && listed.map(\.status) == links.prefix(20).map(\.asbCase.status)
                            && listed.map(\.receivedAt) == links.prefix(20).map(\.asbCase.receivedAt), "\(reference): cases of \(party)")
                }

                let plan = try await ActionPlanService(app: t.app, db: db, requestID: nil).view(of: reference, by: actor)
                let plans = try await ActionPlan.query(on: db).filter(\.$asbCase.$id == caseID)
                    .with(\.$actions) { $0.with(\.$ownerUser).with(\.$ownerAgency).with(\.$ownerParty) }
                    .with(\.$createdBy).sort(\.$revision, .descending).limit(50).all()
                for p in plans { p.$actions.value = p.actions.sorted { $0.position < $1.position } }
                #expect(try json(plan.revisions) == json(plans), "\(reference): action plans")

                let contacts = try await ContactService(app: t.app, db: db, requestID: nil).overview(of: reference, by: actor)
                let contactPlans = try await ContactPlan.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$active == true)
                    .with(\.$party).sort(\.$createdAt).limit(100).all()
                let log = try await ContactLogEntry.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$party).with(\.$recordedBy)
                    .sort(\.$at, .descending).sort(\.$id, .descending).limit(200).all()
                #expect(try json(contacts.plans) == json(contactPlans) && json(contacts.log) == json(log), "\(reference): contacts")

                let closure = try await ClosureService(app: t.app, db: db, requestID: nil).view(of: reference, by: actor)
                let proposals = try await ClosureProposal.query(on: db).filter(\.$asbCase.$id == caseID)
                    .with(\.$contacts) { $0.with(\.$recordedBy) }.with(\.$proposedBy).with(\.$approvedBy)
                    .sort(\.$proposedAt, .descending).sort(\.$id, .descending).limit(50).all()
                for p in proposals { p.$contacts.value = p.contacts.sorted { ($0.at, $0.id!.uuidString) < ($1.at, $1.id!.uuidString) } }
                #expect(try json(closure.history) == json(proposals), "\(reference): closure proposals")

                // The timeline, in pages of 7, is every event oldest first (ties by id).
                let events = try await everyPage { try await cases.timeline(reference, cursor: $0, limit: 7, by: actor) }
                let stored = try await CaseEvent.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$actor)
                    .sort(\.$at).sort(\.$id).all()
                #expect(try json(events) == json(stored), "\(reference): timeline")
                // The audit trail likewise (the reads above wrote some of it; this read writes one more after it).
                let audit = try await everyPage { try await cases.audit(reference, cursor: $0, limit: 5, by: actor) }
                let storedAudit = try await AuditEvent.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$actor)
                    .sort(\.$at).sort(\.$id).all()
                #expect(try json(audit) == json(Array(storedAudit.prefix(audit.count))) && audit.count >= 3, "\(reference): audit")

                compared.parties += parties.count
                compared.incidents += incidents.count
                compared.plans += plans.count
                compared.log += log.count
                compared.proposals += proposals.count
                compared.events += stored.count
            }
            // The demo data gave each kind of row something to compare.
            #expect(compared.parties > 100 && compared.otherCases > 40 && compared.incidents > 100 && compared.plans > 50 && compared.log > 100
                    && compared.proposals > 50 && compared.events > 500, "\(compared)")
        }
    }

    @Test("Meetings, enforcement, evidence, referrals, attachments and messages read in plain SQL are what Fluent's query builder reads")
    func otherCaseReadsMatchFluent() async throws {
        try await Self.withDemoCases(30, seed: 12) { t, actor, cases in
            let db = t.app.db
            let users = try await User.query(on: db).all()
            let agency = PartnerAgency()
            agency.name = "Fictional Community Safety Team"
            agency.kind = .police
            agency.active = true
            agency.createdAt = Self.now
            try await agency.create(on: db)
            // Rows the demo data does not write, made with equal dates so the tie-breaking order shows.
            for (i, asbCase) in cases.prefix(6).enumerated() {
                let caseID = try asbCase.requireID()
                let party = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).first()?.$party.id
                for j in 0..<3 {
                    let meeting = ReviewMeeting()
                    meeting.$asbCase.id = caseID
                    meeting.status = .scheduled
                    meeting.scheduledFor = "2026-12-0\(1 + j % 2)"
                    meeting.attendees = ["Officer"]
                    meeting.agencyIDs = []
                    meeting.$createdBy.id = j == 0 ? nil : users[(i + j) % users.count].id
                    meeting.createdAt = Self.now
                    meeting.updatedAt = Self.now
                    try await meeting.create(on: db)

                    let action = EnforcementAction()
                    action.$asbCase.id = caseID
                    action.type = .writtenWarning
                    action.status = .completed
                    action.warnings = []
                    action.on = "2026-11-1\(j % 2)"
                    action.$against.id = j == 1 ? party : nil
                    action.$recordedBy.id = users[(i + j) % users.count].id
                    action.createdAt = Self.now
                    action.updatedAt = Self.now
                    try await action.create(on: db)

                    let evidence = WitnessEvidenceRecord()
                    evidence.$asbCase.id = caseID
                    evidence.kind = .reporterCommitment
                    evidence.$party.id = j == 2 ? nil : party
                    evidence.witnessName = j == 2 ? "A neighbour" : nil
                    evidence.confirmedOn = "2026-11-10"
                    evidence.howConfirmed = "Signed statement"
                    evidence.$recordedBy.id = users[j % users.count].id
                    evidence.createdAt = Self.now.addingTimeInterval(Double(j % 2))
                    try await evidence.create(on: db)

                    let referral = Referral()
                    referral.$asbCase.id = caseID
                    referral.$agency.id = try agency.requireID()
                    referral.reason = "Joint visit \(j)"
                    referral.consentGiven = true
                    referral.sharedFields = [.incidents]
                    referral.status = .sent
                    referral.sentAt = Self.now
                    referral.$sentBy.id = users[j % users.count].id
                    referral.updatedAt = Self.now
                    try await referral.create(on: db)
                    for k in 0..<j {
                        let update = ReferralUpdate()
                        update.$referral.id = try referral.requireID()
                        update.at = Self.now
                        update.$author.id = k == 0 ? nil : users[k % users.count].id
                        update.text = "Update \(k)"
                        try await update.create(on: db)
                    }

                    let attachment = Attachment()
                    attachment.$asbCase.id = caseID
                    attachment.fileName = "photo-\(j).jpg"
                    attachment.type = .jpeg
                    attachment.size = 10
                    attachment.sha256 = String(repeating: "0", count: 64)
                    attachment.restricted = j == 1
                    attachment.$uploadedBy.id = users[j % users.count].id
                    attachment.uploadedAt = Self.now
                    try await attachment.create(on: db)
                }
            }
            var seen = (meetings: 0, actions: 0, evidence: 0, referrals: 0, updates: 0, attachments: 0)
            for asbCase in cases.prefix(8) {
                let caseID = try asbCase.requireID()
                let reference = asbCase.reference
                let meetings = try await ReviewService(app: t.app, db: db, requestID: nil).list(of: reference, by: actor)
                let storedMeetings = try await ReviewMeeting.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$createdBy)
                    .sort(\.$scheduledFor, .descending).sort(\.$id, .descending).limit(100).all()
                #expect(try json(meetings) == json(storedMeetings), "\(reference): meetings")

                let enforcement = try await EnforcementService(app: t.app, db: db, requestID: nil).view(of: reference, by: actor)
                let actions = try await EnforcementAction.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$against).with(\.$recordedBy)
                    .sort(\.$on, .descending).sort(\.$id, .descending).limit(200).all()
                let evidence = try await WitnessEvidenceRecord.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$party)
                    .with(\.$approvedBy).with(\.$recordedBy).sort(\.$createdAt).all()
                #expect(try json(enforcement.actions) == json(actions), "\(reference): enforcement")
                // Evidence is oldest first; rows recorded in the same instant in any order.
                let evidenceRead = Set(try enforcement.evidence.map(json)), evidenceStored = Set(try evidence.map(json))
                #expect(enforcement.evidence.map(\.createdAt) == evidence.map(\.createdAt) && evidenceRead == evidenceStored,
                        "\(reference): evidence")

                let referrals = try await ReferralService(app: t.app, db: db, requestID: nil).list(on: reference, by: actor)
                let storedReferrals = try await Referral.query(on: db).filter(\.$asbCase.$id == caseID)
                    .with(\.$agency).with(\.$sentBy).with(\.$updates) { $0.with(\.$author) }
                    .sort(\.$sentAt, .descending).sort(\.$id, .descending).limit(100).all()
                for r in storedReferrals { r.$updates.value = r.updates.sorted { ($0.at, $0.id!.uuidString) < ($1.at, $1.id!.uuidString) } }
                #expect(try json(referrals) == json(storedReferrals), "\(reference): referrals")

                let attachments = try await AttachmentService(app: t.app, db: db, requestID: nil).list(of: reference, by: actor)
                let storedAttachments = try await Attachment.query(on: db).filter(\.$asbCase.$id == caseID).with(\.$uploadedBy)
                    .sort(\.$uploadedAt, .descending).sort(\.$id, .descending).limit(500).all()
                #expect(try json(attachments) == json(storedAttachments), "\(reference): attachments")

                seen.meetings += meetings.count
                seen.actions += enforcement.actions.count
                seen.evidence += enforcement.evidence.count
                seen.referrals += referrals.count
                seen.updates += referrals.map(\.updates.count).reduce(0, +)
                seen.attachments += attachments.count
                let messages = try await Outbox.messages(of: caseID, on: db)
                let storedMessages = try await OutboxMessage.query(on: db).filter(\.$asbCase.$id == caseID)
                    .sort(\.$createdAt, .descending).limit(100).all()
                #expect(try json(messages) == json(storedMessages), "\(reference): messages")
            }
            #expect(seen.meetings == 18 && seen.actions == 18 && seen.evidence == 18 && seen.referrals == 18
                    && seen.updates == 18 && seen.attachments == 18, "\(seen)")
            let caseworkers = try await UserService(app: t.app, db: db, requestID: nil).caseworkers()
            let storedCaseworkers = try await User.query(on: db).filter(\.$role ~~ [.officer, .teamLeader]).filter(\.$active == true)
                .sort(\.$displayName).all()
            #expect(caseworkers.map(\.id) == storedCaseworkers.map(\.id) && caseworkers.count > 1)
        }
    }

    /// Every item of a paged read, following its cursors.
    @Test("On SQLite, every model read in plain SQL decodes each field as Fluent's own reading does, NULLs and unknown values too")
    func sqliteRowsDecodeAsFluent() async throws {
        try await Self.withDemoCases(60, seed: 17) { t, _, all in
            let db = t.app.db
            guard db is any SQLiteDatabase else { return }
            // A report with an idempotency key adds the tables demo data leaves empty: messages, the key.
            let receipt = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 17),
                                           headers: [("Idempotency-Key", "k-17")])
            #expect(receipt.status == .created)
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            encoder.dateEncodingStrategy = .iso8601
            func compare<M: Model>(_: M.Type) async throws -> Int {
                func byID(_ models: [M]) throws -> [String: String] {
                    try Dictionary(uniqueKeysWithValues: models.map {
                        ("\($0.id.map { "\($0)" } ?? "")", String(decoding: try encoder.encode($0), as: UTF8.self))
                    })
                }
                let fluent = try byID(try await M.query(on: db).all())
                let plain = try byID(try await M.stored("", on: db))
                #expect(plain == fluent, "\(M.schema)")
                return fluent.count
            }
            var tablesWithRows = 0
            for model in ModelPropertiesTests.models {
                guard let type = type(of: model) as? any Model.Type else { continue }
                if try await compare(type) > 0 { tablesWithRows += 1 }
            }
            #expect(tablesWithRows >= 20, "only \(tablesWithRows) tables had rows")
            // A value no case of the enumeration names fails the read, as it fails Fluent's.
            let sql = try db.sql
            try await sql.raw("UPDATE cases SET status = 'lost' WHERE id = \(bind: try all[0].requireID())").run()
            await #expect(throws: (any Error).self) { try await ASBCase.query(on: db).all() }
            await #expect(throws: (any Error).self) { try await ASBCase.stored("", on: db) }
        }
    }

    @Test("Within ParentRows each officer, person or agency is read once, and every part reads what it reads without it")
    func parentRowsReadOnce() async throws {
        try await Self.withDemoCases(40, seed: 13) { t, actor, all in
            let db = t.app.db
            // Every part of a case page, read as the page reads it: once with ParentRows, once without.
            func parts(_ reference: String) async throws -> [String] {
                let readable = try await CaseService(app: t.app, db: db, requestID: nil).readable(reference, by: actor)
                return [
                    try json(try await CaseService(app: t.app, db: db, requestID: nil).detail(of: readable).asbCase),
                    try json(try await ActionPlanService(app: t.app, db: db, requestID: nil).view(of: readable).revisions),
                    try json(try await ContactService(app: t.app, db: db, requestID: nil).overview(of: readable).log),
                    try json(try await ReviewService(app: t.app, db: db, requestID: nil).list(of: readable)),
                    try json(try await EnforcementService(app: t.app, db: db, requestID: nil).view(of: readable).actions),
                    try json(try await ClosureService(app: t.app, db: db, requestID: nil).view(of: readable).history),
                    try json(try await CaseService(app: t.app, db: db, requestID: nil).timeline(of: readable, cursor: nil, limit: 100).items),
                ]
            }
            var shared = 0
            for asbCase in all {
                let plain = try await parts(asbCase.reference)
                let kept = try await ParentRows.$current.withValue(ParentRows()) { try await parts(asbCase.reference) }
                #expect(kept == plain, "\(asbCase.reference)")
                if plain.joined().components(separatedBy: "\"displayName\"").count > 3 { shared += 1 }
            }
            #expect(shared > 20, "cases whose parts name officers: \(shared)")

            // Read once: a second load in the same scope is not a read (a change made between them
            // is not seen); outside a scope every load reads the database.
            let entry = try #require(try await ContactLogEntry.query(on: db).filter(\.$recordedBy.$id != nil).first())
            let officerID = try #require(entry.$recordedBy.id)
            func recorder() async throws -> String? {
                let entries = try await ContactLogEntry.stored("WHERE id = \(bind: entry.requireID())", on: db)
                try await entries.loadParents(\.$recordedBy, on: db)
                return entries.first?.recordedBy?.displayName
            }
            let before = try await recorder()
            let (first, second) = try await ParentRows.$current.withValue(ParentRows()) {
                let first = try await recorder()
                try await db.sql.raw("UPDATE users SET display_name = 'Renamed Officer' WHERE id = \(bind: officerID)").run()
                return (first, try await recorder())
            }
            #expect(first == before && second == before)
            #expect(try await recorder() == "Renamed Officer")
        }
    }

    @Test("Plain-SQL reads are prepared once per connection on PostgreSQL: Fluent's rows, also after a later version adds a column, and for long id lists")
    func preparedReads() async throws {
        try await Self.withDemoCases(30, seed: 14) { t, _, all in
            let db = t.app.db
            func neighbourhoods() async throws -> String { try json(try await Neighbourhood.stored("ORDER BY name, id", on: db)) }
            let expected = try json(try await Neighbourhood.query(on: db).sort(\.$name).sort(\.$id).all())
            #expect(expected.count > 100)
            // Twelve times over, so every pooled connection has the read prepared, then a column is added.
            for _ in 0..<12 { #expect(try await neighbourhoods() == expected) }
            try await db.sql.raw("ALTER TABLE neighbourhoods ADD COLUMN added_by_a_later_version TEXT").run()
            for _ in 0..<12 { #expect(try await neighbourhoods() == expected) }
            // More ids than PreparedReads.maxBinds: read the usual way, the same rows.
            let ids = try all.map { try $0.requireID() }
            #expect(ids.count > PreparedReads.maxBinds)
            #expect(try await ASBCase.stored("WHERE id IN (\(binds: ids)) ORDER BY reference", on: db).map(\.reference) == all.map(\.reference))
            guard TestDatabase.postgresURL != nil else { return }
            // On PostgreSQL the read is a named statement of the connection that ran it.
            let reference = try #require(all.first).reference
            let prepared = try await db.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    _ = try await ASBCase.storedFirst("WHERE reference = \(bind: reference)", on: connection)
                    return try await connection.sql.raw("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'asb\\_%'").all()
                        .map { try $0.decode(column: "statement", as: String.self) }
                }
            }.get()
            #expect(prepared.contains { $0.contains("FROM cases WHERE reference = $1 LIMIT 1") }, "\(prepared)")
        }
    }

    @Test("PostgreSQL: queues over everyone's cases are prepared; an officer's, narrowed to their cases, are planned for them each time")
    func preparedQueues() async throws {
        guard TestDatabase.postgresURL != nil else { return }
        try await Self.withDemoCases(30, seed: 15) { t, actor, _ in
            let leader = try #require(actor.user)
            let officer = try #require(try await User.query(on: t.app.db).filter(\.$role == .officer).first())
            let calendar = try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
            let now = t.app.asb.clock.now()
            // Each on one connection, then what that connection has prepared.
            func preparedAfterQueues(for user: User) async throws -> [String] {
                try await t.app.db.withConnection { connection in
                    connection.eventLoop.makeFutureWithTask {
                        for name in [QueueService.Name.triage, .overdue, .closureReviewDue] {
                            let queues = QueueService(db: connection)
                            _ = try await queues.page(name, for: user, calendar: calendar, now: now, cursor: nil, limit: 5)
                            _ = try await queues.count(name, for: user, calendar: calendar, now: now, upTo: 50)
                        }
                        return try await connection.sql.raw("SELECT statement FROM pg_prepared_statements WHERE name LIKE 'asb\\_%'").all()
                            .map { try $0.decode(column: "statement", as: String.self) }
                    }
                }.get()
            }
            let forLeader = try await preparedAfterQueues(for: leader)
            #expect(forLeader.filter { $0.contains("c.status = $1") || $0.contains("d.due_at < $") }.count >= 4, "\(forLeader)")
            let forOfficer = try await preparedAfterQueues(for: officer)
            #expect(!forOfficer.contains { $0.contains("allocated_officer_id = $") }, "\(forOfficer)")
        }
    }

    private func everyPage<Item>(_ read: (String?) async throws -> CaseService.Page<Item>) async throws -> [Item] {
        var items: [Item] = []
        var cursor: String?
        repeat {
            let page = try await read(cursor)
            items += page.items
            cursor = page.nextCursor
        } while cursor != nil
        return items
    }

    private func json<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
