@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

private func instant(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

/// Tests that move the clock by days keep their staff signed in.
private func longTokens(_ config: inout AppConfig) { config.tokenLifetime = 30 * 86_400 }

/// Answers scoring exactly the medium threshold (10): daily 3, over six months 2, sleep often 2, health a lot 3.
private let mediumAnswers = ["frequency": "daily", "duration": "overSixMonths", "sleepImpact": "often", "healthImpact": "aLot"]

private func deadlines(_ reply: TestApp.Reply) -> [String: [String: Any]] {
    var result: [String: [String: Any]] = [:]
    for deadline in reply.json["deadlines"] as? [[String: Any]] ?? [] {
        if let milestone = deadline["milestone"] as? String { result[milestone] = deadline }
    }
    return result
}

@Suite("Risk, priorities and the service clocks on cases (SS-RT-1..4)")
struct ClockTests {
    @Test("SS-RT-2: a hate report on Thu 24 Dec 2026 16:00 must be answered by Tue 29 Dec 16:00, and the case says why")
    func hateOverChristmas() async throws {
        try await TestApp.run(clock: TestClock(instant("2026-12-24T16:00:00Z"))) { t in
            let receipt = try await t.submitReport(["hate": true, "hateStrands": ["race"]])
            #expect(receipt.json["priority"] as? Int == 1)
            let reference = try #require(receipt.string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let detail = try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token)
            let response = try #require(deadlines(detail)["response"])
            #expect(response["dueAt"] as? String == "2026-12-29T16:00:00Z")
            #expect(response["state"] as? String == "pending")
            #expect(response["ruleCode"] as? String == "workingHours:24")
            let rule = try #require(response["rule"] as? String)
            #expect(rule.contains("24 working hours") && rule.contains("Christmas Day") && rule.contains("Boxing Day"))
            #expect(detail.json["prioritySource"] as? String == "provisional")
            #expect(detail.json["riskLevel"] as? String == "high")
        }
    }

    @Test("SS-RT-1: the timeline's sentence for a new priority names dropped deadlines in the milestones' order, however the rows were read")
    func reconcileSentenceOrder() throws {
        let calendar = WorkingCalendar(region: .englandAndWales)
        let asbCase = ASBCase()
        asbCase.id = UUID()
        asbCase.receivedAt = Date(timeIntervalSince1970: 1_791_000_000)
        asbCase.priority = .p2
        func milestones() -> [CaseMilestone] {
            ServiceClock.deadlines(receivedAt: asbCase.receivedAt, priority: .p2, calendar: calendar).map {
                let row = CaseMilestone()
                row.milestone = $0.milestone
                row.dueAt = $0.dueAt
                row.priority = .p2
                return row
            }
        }
        let now = asbCase.receivedAt.addingTimeInterval(3600)
        let inOrder = CaseClock.reconcile(priority: .p1, source: .assessed, of: asbCase, existing: milestones(),
                                          calendar: calendar, now: now).summary
        asbCase.priority = .p2
        let reversed = CaseClock.reconcile(priority: .p1, source: .assessed, of: asbCase, existing: milestones().reversed(),
                                           calendar: calendar, now: now).summary
        #expect(inOrder == reversed)
        #expect(inOrder?.contains("Acknowledgement no longer due; Investigation start no longer due") == true, "\(inOrder ?? "-")")
    }

    @Test("SS-RT-3: a medium-risk assessment sets acknowledgement and investigation deadlines from the first receipt")
    func mediumRisk() async throws {
        // Mon 23 Nov 2026 14:00: acknowledgement Tue 14:00; investigation by the end of Mon 30 Nov.
        let clock = TestClock(instant("2026-11-23T14:00:00Z"))
        try await TestApp.run(clock: clock) { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            clock.advance(by: 3 * 3600)
            let reply = try await t.assess(reference, token: leader.token, answers: mediumAnswers)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["priority"] as? Int == 2, "\(reply.json["riskLevel"] ?? "")")
            let due = deadlines(reply)
            #expect(due["acknowledgement"]?["dueAt"] as? String == "2026-11-24T14:00:00Z")
            #expect(due["investigationStart"]?["dueAt"] as? String == "2026-12-01T00:00:00Z")
            #expect(due["response"] == nil, "The provisional P3 response deadline is replaced")
            #expect(reply.json["prioritySource"] as? String == "assessed")
        }
    }

    @Test("SS-RT-1: reassessment recomputes from the original receipt; milestones already met stay met")
    func reassessmentKeepsMetMilestones() async throws {
        let clock = TestClock(instant("2026-11-23T14:00:00Z"))
        try await TestApp.run(clock: clock, configure: longTokens) { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            try await t.assess(reference, token: leader.token, answers: mediumAnswers)
            clock.advance(by: 3600)
            let met = try await t.send(.POST, "/api/v1/cases/\(reference)/milestones", json: ["milestone": "acknowledgement"],
                                       token: leader.token)
            #expect(met.status == .created, "\(met.text)")
            clock.advance(by: 2 * 86_400)
            let reply = try await t.assess(reference, token: leader.token, answers: ["threats": "yes"])
            #expect(reply.json["priority"] as? Int == 1)
            let due = deadlines(reply)
            #expect(due["acknowledgement"]?["state"] as? String == "met", "Met milestones stay met")
            #expect(due["response"]?["dueAt"] as? String == "2026-11-24T14:00:00Z", "From the first receipt, not the reassessment")
            #expect(due["response"]?["state"] as? String == "breached")
            #expect(due["investigationStart"] == nil)
            let history = try await t.send(.GET, "/api/v1/cases/\(reference)/assessments", token: leader.token)
            let priorities = (history.body.isEmpty ? [] : (try JSONSerialization.jsonObject(with: history.body) as? [[String: Any]]) ?? [])
                .compactMap { $0["priority"] as? Int }
            #expect(priorities == [1, 2, 3], "Newest first, the intake's provisional one last")
        }
    }

    @Test("An override needs a reason; a hate case is never below priority 1 (SS-RT-2)")
    func overrides() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            let reference = try #require(try await t.submitReport().string("reference"))
            let noReason = try await t.assess(reference, token: leader.token, priority: 1)
            #expect(noReason.status == .unprocessableEntity)
            #expect(noReason.fieldErrors == ["overrideReason"])
            let withReason = try await t.assess(reference, token: leader.token, priority: 1,
                                                reason: "Known history of violence at this address")
            #expect(withReason.json["priority"] as? Int == 1)
            #expect(withReason.json["prioritySource"] as? String == "override")

            let hate = try #require(try await t.submitReport(["hate": true, "hateStrands": ["disability"]]).string("reference"))
            let lowered = try await t.assess(hate, token: leader.token, priority: 3, reason: "Seems minor")
            #expect(lowered.status == .conflict)
            #expect(lowered.json["clause"] as? String == "SS-RT-2")
            let badAnswer = try await t.assess(hate, token: leader.token, answers: ["frequency": "hourly", "colour": "blue"])
            #expect(Set(badAnswer.fieldErrors) == ["answers.frequency", "answers.colour"], "Named as this request names them")
            let badPriority = try await t.send(.POST, "/api/v1/cases/\(hate)/assessments", json: ["priority": 4, "overrideReason": "x"],
                                               token: leader.token)
            #expect(badPriority.fieldErrors == ["priority"])
            #expect(!badPriority.text.contains("Cannot initialize"), "No Swift internals in messages")
        }
    }

    @Test("SS-DEF-3: a report that is not ASB is recorded for information at priority 3")
    func notASB() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            let reference = try #require(try await t.submitReport(["description": "A baby crying next door."]).string("reference"))
            let reply = try await t.assess(reference, token: leader.token, notASB: true)
            #expect(reply.json["priority"] as? Int == 3)
            #expect(reply.json["notASB"] as? Bool == true)
            #expect(deadlines(reply)["response"] != nil, "It is still answered within 10 working days (SS-RT-4)")
        }
    }

    @Test("SS-RT-1, SS-NXT-3: the reporter's answers at intake set a provisional priority and become support needs")
    func intakeAnswers() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport(["riskAnswers": ["threats": "yes", "disability": "mentalHealth", "isolation": "yes"]])
            #expect(receipt.status == .created, "\(receipt.text)")
            #expect(receipt.json["priority"] as? Int == 1)
            let party = try #require(try await Party.query(on: t.app.db).first())
            #expect(party.supportNeeds == [.mentalHealth, .isolation])
            let assessment = try #require(try await RiskAssessmentRecord.query(on: t.app.db).first())
            #expect(assessment.source == .intake && assessment.questionnaireVersion == RiskQuestionnaire.standard.version)

            let bad = try await t.submitReport(["riskAnswers": ["threats": "maybe"], "description": ""])
            #expect(Set(bad.fieldErrors) == ["riskAnswers.threats", "description"], "Every problem at once")
            let notText = try await t.submitReport(["riskAnswers": ["threats": true]])
            #expect(notText.status == .unprocessableEntity)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }

    @Test("SS-RT-2: a later incident perceived as hate raises the case to priority 1 and recomputes its deadlines")
    func laterHateIncident() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let intake = try await t.staffToken(.intake)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                 json: ["channel": "phone", "description": "Abuse shouted about my religion.", "hate": true,
                                        "hateStrands": ["religionOrBelief"]], token: intake.token)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.priority == .p1)
            let milestones = try await CaseMilestone.query(on: t.app.db).all()
            #expect(milestones.map(\.milestone) == [.response])
            #expect(milestones.first?.dueAt == tuesdayMorning.addingTimeInterval(86_400), "24 working hours from the first report")
        }
    }

    @Test("The risk questionnaire is published for every client")
    func questionnaire() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.GET, "/api/v1/risk-questionnaire")
            #expect(reply.status == .ok)
            #expect(reply.json["version"] as? String == RiskQuestionnaire.standard.version)
            #expect((reply.json["questions"] as? [Any])?.count == RiskQuestionnaire.standard.questions.count)
        }
    }
}

@Suite("Milestones and breaches")
struct MilestoneTests {
    @Test("A milestone recorded on time is met; late, it is breached and the breach is recorded once")
    func metAndBreached() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let leader = try await t.staffToken(.teamLeader)
            let onTime = try #require(try await t.submitReport(["hate": true, "hateStrands": ["race"]]).string("reference"))
            t.clock.advance(by: 3600)
            let reply = try await t.send(.POST, "/api/v1/cases/\(onTime)/milestones",
                                         json: ["milestone": "response", "metAt": "2026-11-24T10:45:00Z", "note": "Phoned the reporter"],
                                         token: leader.token)
            #expect(reply.status == .created, "\(reply.text)")
            let list = (try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]]) ?? []
            #expect(list.first?["state"] as? String == "met")
            let again = try await t.send(.POST, "/api/v1/cases/\(onTime)/milestones", json: ["milestone": "response"], token: leader.token)
            #expect(again.status == .conflict)
            let wrong = try await t.send(.POST, "/api/v1/cases/\(onTime)/milestones", json: ["milestone": "acknowledgement"],
                                         token: leader.token)
            #expect(wrong.status == .conflict)
            #expect(wrong.json["code"] as? String == "milestone.notScheduled")

            let late = try #require(try await t.submitReport(["hate": true, "hateStrands": ["race"]]).string("reference"))
            t.clock.advance(by: 2 * 86_400)
            let lateReply = try await t.send(.POST, "/api/v1/cases/\(late)/milestones", json: ["milestone": "response"], token: leader.token)
            let lateList = (try JSONSerialization.jsonObject(with: lateReply.body) as? [[String: Any]]) ?? []
            #expect(lateList.first?["state"] as? String == "breached")
            #expect(try await BreachScanner(env: t.app.asb, db: t.app.db).scan(now: t.clock.now) == 0,
                    "Already recorded when it was met late")
            let breaches = try await CaseEvent.query(on: t.app.db).filter(\.$kind == .milestoneBreached).count()
            #expect(breaches == 1)
        }
    }

    @Test("The time of a milestone may not be in the future or before the report; intake records only acknowledgements")
    func badMilestones() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let future = try await t.send(.POST, "/api/v1/cases/\(reference)/milestones",
                                          json: ["milestone": "response", "metAt": "2026-12-25T10:00:00Z"], token: leader.token)
            #expect(future.fieldErrors == ["metAt"])
            let before = try await t.send(.POST, "/api/v1/cases/\(reference)/milestones",
                                          json: ["milestone": "response", "metAt": "2026-11-01T10:00:00Z"], token: leader.token)
            #expect(before.fieldErrors == ["metAt"])
            let intake = try await t.staffToken(.intake)
            let response = try await t.send(.POST, "/api/v1/cases/\(reference)/milestones", json: ["milestone": "response"],
                                            token: intake.token)
            #expect(response.status == .forbidden)
            try await t.assess(reference, token: leader.token, answers: mediumAnswers)
            let ack = try await t.send(.POST, "/api/v1/cases/\(reference)/milestones", json: ["milestone": "acknowledgement"],
                                       token: intake.token)
            #expect(ack.status == .created, "\(ack.text)")
        }
    }

    @Test("A stopping server's breach scan stops before the next breach; the next scan records the rest, each once")
    func breachScanStops() async throws {
        try await TestApp.run { t in
            for _ in 0..<3 { _ = try await t.submitReport(["hate": true, "hateStrands": ["race"]]) }
            t.clock.advance(by: 86_400 + 60)
            let scanner = BreachScanner(env: t.app.asb, db: t.app.db)
            let now = t.clock.now
            // A job task cancelled as `asb serve` shuts down (PeriodicJob.shutdownAsync).
            let stopped = Task { try await scanner.scan(now: now) }
            stopped.cancel()
            #expect(try await stopped.value == 0)
            #expect(try await CaseEvent.query(on: t.app.db).filter(\.$kind == .milestoneBreached).count() == 0)
            #expect(try await scanner.scan(now: now) == 3)
            #expect(try await CaseEvent.query(on: t.app.db).filter(\.$kind == .milestoneBreached).count() == 3)
        }
    }

    @Test("The breach scan records each breach once as a timeline and audit event, even with two scanners at once")
    func breachScan() async throws {
        try await TestApp.run { t in
            for _ in 0..<5 { _ = try await t.submitReport(["hate": true, "hateStrands": ["race"]]) }
            _ = try await t.submitReport()
            let scanner = BreachScanner(env: t.app.asb, db: t.app.db)
            #expect(try await scanner.scan(now: t.clock.now) == 0)
            t.clock.advance(by: 86_400 + 60)
            async let first = scanner.scan(now: t.clock.now)
            async let second = BreachScanner(env: t.app.asb, db: t.app.db).scan(now: t.clock.now)
            let total = try await first + second
            #expect(total == 5, "The five P1 cases breached; the P3 case has ten working days")
            #expect(try await scanner.scan(now: t.clock.now) == 0)
            #expect(try await CaseEvent.query(on: t.app.db).filter(\.$kind == .milestoneBreached).count() == 5)
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "case.breach").count() == 5)
        }
    }
}

@Suite("Work queues")
struct QueueTests {
    @Test("SS-NXT-1: the overdue queue's first page is read in due order from an index, not by sorting every overdue deadline")
    func overdueIndex() async throws {
        try await TestApp.run { t in
            // The shape QueueService asks for the overdue queue: unmet deadlines of cases not
            // closed, past due, by due time then id, one page.
            let query: SQLQueryString = """
                SELECT d.id FROM case_milestones d JOIN cases c ON c.id = d.case_id
                WHERE d.met_at IS NULL AND d.case_closed_at IS NULL AND c.status <> \(bind: "closed") AND d.due_at < \(bind: t.clock.now)
                ORDER BY d.due_at ASC, d.id ASC LIMIT 26
                """
            let plan: String
            if TestDatabase.postgresURL == nil {
                plan = try await t.app.db.sql.raw("EXPLAIN QUERY PLAN \(query)").all()
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "; ")
                // SQLite walks the open deadlines' index in due order and sorts only ties by id.
                #expect(plan.contains("USING INDEX case_milestones_open_idx") && !plan.contains("TEMP B-TREE FOR ORDER BY"), "\(plan)")
            } else {
                // A test database is too small for the planner to prefer an index, so sorting is
                // made the last resort: without an index in that order the plan still sorts.
                plan = try await t.app.db.transaction { db in
                    try await db.sql.raw("SET LOCAL enable_sort = off").run()
                    return try await db.sql.raw("EXPLAIN \(query)").all()
                        .map { try $0.decode(column: "QUERY PLAN", as: String.self) }.joined(separator: "; ")
                }
                #expect(plan.contains("case_milestones_overdue_idx") && !plan.contains("Sort"), "\(plan)")
            }
        }
    }

    @Test("Triage lists cases not yet assessed and allocated; officers see their own, team leaders all")
    func triage() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            let intake = try await t.staffToken(.intake)
            var references: [String] = []
            for _ in 0..<3 {
                references.append(try #require(try await t.submitReport().string("reference")))
                t.clock.advance(by: 60)
            }
            try await t.allocate(references[0], to: officer.user, token: leader.token)
            try await t.assess(references[0], token: officer.token)
            try await t.allocate(references[1], to: officer.user, token: leader.token)

            func queue(_ name: String, _ token: String) async throws -> [String] {
                let reply = try await t.send(.GET, "/api/v1/queues/\(name)", token: token)
                #expect(reply.status == .ok, "\(reply.text)")
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
            }
            #expect(try await queue("triage", leader.token) == [references[1], references[2]])
            #expect(try await queue("triage", intake.token) == [references[1], references[2]])
            #expect(try await queue("triage", officer.token) == [references[1]])
            #expect(try await t.send(.GET, "/api/v1/queues/overdue", token: intake.token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/queues/nonsense", token: leader.token).status == .badRequest)
        }
    }

    @Test("SS-NXT-1: each queue pages both ways, in order, through what its bounded count counts, for a team leader and for officers")
    func boundedCounts() async throws {
        // Monday after the demo window: every kind of queue has work in it.
        let clock = TestClock(instant("2026-11-23T09:00:00Z"))
        try await TestApp.run(clock: clock) { t in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: 400, seed: 5))
            // Agreed contact with the reporter and review meetings on a dozen open cases, several
            // on the same day (the cursor must break ties by id).
            let db = t.app.db
            for (i, c) in try await ASBCase.query(on: db).filter(\.$status == .open).sort(\.$reference).limit(12).all().enumerated() {
                let caseID = try c.requireID()
                if let reporter = try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$role == .reporter).first() {
                    let plan = ContactPlan()
                    (plan.$asbCase.id, plan.$party.id, plan.frequency, plan.method) = (caseID, reporter.$party.id, "weekly", .phone)
                    (plan.agreedOn, plan.nextContactDue, plan.forReporter, plan.active) = ("2026-11-01", ["2026-11-16", "2026-11-18", "2026-11-20"][i % 3], true, true)
                    plan.createdAt = clock.now
                    try await plan.create(on: db)
                }
                let meeting = ReviewMeeting()
                (meeting.$asbCase.id, meeting.status, meeting.scheduledFor) = (caseID, .scheduled, ["2026-11-17", "2026-11-19"][i % 2])
                (meeting.attendees, meeting.agencyIDs, meeting.createdAt, meeting.updatedAt) = ([], [], clock.now, clock.now)
                try await meeting.create(on: db)
            }
            let (_, leader) = try await t.staffToken(.teamLeader)
            let officers = try await User.query(on: t.app.db).filter(\.$role == .officer).sort(\.$username).all()
            let queues = QueueService(db: t.app.db)
            let calendar = try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
            let names: [QueueService.Name] = [.triage, .dueSoon, .overdue, .contactDue, .reviewsDue, .closureReviewDue, .caseReviewThreshold]
            /// What makes an item due, in the order the queue sorts by (ties broken by id).
            func key(_ name: QueueService.Name, _ item: QueueService.Item) -> String {
                let date: Date? = switch name {
                case .triage: item.asbCase.receivedAt
                case .dueSoon, .overdue: item.milestone?.dueAt
                case .closureReviewDue: item.asbCase.lastIncidentAt
                case .caseReviewThreshold: item.asbCase.caseReviewDueAt
                case .contactDue, .reviewsDue: nil
                }
                return date.map { String(format: "%014.3f", $0.timeIntervalSince1970) } ?? item.nextContactOn ?? item.reviewOn ?? ""
            }
            func label(_ item: QueueService.Item) -> String {
                [item.asbCase.reference, item.milestone?.milestone.rawValue ?? "", item.nextContactOn ?? "", item.reviewOn ?? ""]
                    .joined(separator: "|")
            }
            func all(_ name: QueueService.Name, for user: User, now: Date, leastUrgentFirst: Bool) async throws -> [QueueService.Item] {
                var items: [QueueService.Item] = []
                var cursor: String?
                repeat {
                    let page = try await queues.page(name, for: user, calendar: calendar, now: now, cursor: cursor, limit: 3,
                                                     leastUrgentFirst: leastUrgentFirst)
                    items += page.items
                    cursor = page.nextCursor
                } while cursor != nil
                return items
            }
            var nonEmpty: Set<String> = []
            var multiPage: Set<String> = []
            var lengths: [String: Int] = [:]
            var teamQueues: [QueueService.Name: [QueueService.Item]] = [:]
            var listedByTeam: [QueueService.Item] = []
            // The Monday after the demo window, and two months on, when more contact, meetings
            // and closure reviews have fallen due.
            for now in [clock.now, instant("2027-01-25T09:00:00Z")] {
              for user in [leader] + officers.prefix(2) {
                for name in names {
                    let items = try await all(name, for: user, now: now, leastUrgentFirst: false)
                    let listed = items.count
                    #expect(try await queues.count(name, for: user, calendar: calendar, now: now, upTo: 100_000) == listed,
                            "\(name) for \(user.role)")
                    for bound in [1, 2, 5] {
                        #expect(try await queues.count(name, for: user, calendar: calendar, now: now, upTo: bound) == min(bound, listed),
                                "\(name) up to \(bound)")
                    }
                    // In order, each item once, and the other way round the same items reversed.
                    let keys = items.map { key(name, $0) }
                    #expect(keys == keys.sorted(), "\(name) most urgent first")
                    #expect(Set(items.map(label)).count == listed, "\(name) lists each item once")
                    let reversed = try await all(name, for: user, now: now, leastUrgentFirst: true)
                    #expect(reversed.map(label) == items.reversed().map(label), "\(name) least urgent first")
                    if user.role == .teamLeader {
                        teamQueues[name] = items
                        listedByTeam += items
                    } else {
                        // An officer's queue is the team's, cut to their own cases.
                        #expect(items.allSatisfy { $0.asbCase.officer?.id == user.id }, "\(name): \(user.username)'s own")
                        #expect(items.map(label) == (teamQueues[name] ?? []).filter { $0.asbCase.officer?.id == user.id }.map(label),
                                "\(name) for \(user.username)")
                    }
                    if listed > 0 { nonEmpty.insert(name.rawValue) }
                    if listed > 3 { multiPage.insert(name.rawValue) }
                    if user.role == .teamLeader { lengths["\(name.rawValue) \(now.formatted(.iso8601.year().month().day()))"] = listed }
                }
              }
            }
            #expect(nonEmpty.count >= 5, "the demo data leaves work in most queues: \(nonEmpty.sorted())")
            #expect(multiPage.count >= 5, "most queues run to more than one page: \(lengths)")
            // The rows name each case's officer as the case does.
            for item in listedByTeam {
                let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == item.asbCase.reference)
                    .with(\.$allocatedOfficer).with(\.$neighbourhood).first())
                #expect(item.asbCase == (try CaseListing(stored)))
            }

            // My cases: the officer's cases not closed, listed and counted in the database.
            let officer = try #require(officers.first)
            let mine = try await ASBCase.query(on: t.app.db).filter(\.$allocatedOfficer.$id == officer.id).all()
            let open = Set(mine.filter { $0.status != .closed }.map(\.reference))
            #expect(!open.isEmpty && open.count < mine.count, "the officer has open and closed cases")
            var filter = CaseService.ListFilter()
            filter.officer = .user(try officer.requireID())
            filter.openOnly = true
            let cases = CaseService(app: t.app, db: t.app.db, requestID: nil)
            var listed: [String] = []
            var cursor: String?
            repeat {
                let page = try await cases.list(filter, cursor: cursor, limit: 4, by: officer)
                listed += page.items.map(\.reference)
                cursor = page.nextCursor
            } while cursor != nil
            #expect(Set(listed) == open && listed.count == open.count)
            #expect(try await cases.count(filter, upTo: 10_000, by: officer) == open.count)
        }
    }

    @Test("SS-NXT-1: the home page shows each queue's length up to 50, then \"50 or more\", and its five most urgent cases")
    func homeCounts() async throws {
        try await TestApp.run { t in
            let (leaderToken, leader) = try await t.staffToken(.teamLeader)
            var references: [String] = []
            for _ in 0..<51 {
                references.append(try #require(try await t.submitReport().string("reference")))
                t.clock.advance(by: 60)
            }
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            func triageCount() async throws -> String? {
                let home = try await web.get("/staff")
                #expect(home.status == .ok)
                let pattern = try Regex(#"<span class="queue-count">([^<]*)</span> <span class="queue-title">Triage</span>"#)
                return try pattern.firstMatch(in: home.html).map { String($0.output[1].substring ?? "") }
            }
            #expect(try await triageCount() == "50 or more")
            let home = try await web.get("/staff")
            let start = try #require(home.html.range(of: "id=\"queue-triage\""))
            let section = String(home.html[start.upperBound...].prefix { $0 != "\u{0}" }.split(separator: "<h2", maxSplits: 1)[0])
            let shown = references.filter { section.contains(">\($0)</a>") }
            #expect(shown == Array(references.prefix(5)), "the five waiting longest")
            let (_, officer) = try await t.staffToken(.officer)
            try await t.allocate(references[0], to: officer, token: leaderToken)
            try await t.assess(references[0], token: leaderToken)
            #expect(try await triageCount() == "50")
        }
    }

    @Test("Due soon looks 8 working hours ahead; overdue lists what is past due, most overdue first")
    func deadlines() async throws {
        // Friday 27 Nov 2026 09:00: a P1 report is due Monday 09:00.
        let clock = TestClock(instant("2026-11-27T09:00:00Z"))
        try await TestApp.run(clock: clock, configure: longTokens) { t in
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            let hate = try #require(try await t.submitReport(["hate": true, "hateStrands": ["race"]]).string("reference"))
            try await t.allocate(hate, to: officer.user, token: leader.token)
            clock.set(instant("2026-11-27T20:00:00Z"))
            let other = try #require(try await t.submitReport(["hate": true, "hateStrands": ["race"]]).string("reference"))

            func queue(_ name: String, _ token: String) async throws -> [String] {
                let reply = try await t.send(.GET, "/api/v1/queues/\(name)", token: token)
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
            }
            // Friday 20:00: Monday 09:00 is 13 working hours away (Friday 20–24 and Monday 0–9 count).
            #expect(try await queue("dueSoon", leader.token) == [])
            // Monday 01:30: 7.5 working hours to go.
            clock.set(instant("2026-11-30T01:30:00Z"))
            #expect(try await queue("dueSoon", leader.token) == [hate])
            #expect(try await queue("dueSoon", officer.token) == [hate])
            clock.set(instant("2026-11-30T21:00:00Z"))
            #expect(try await queue("overdue", leader.token) == [hate, other])
            #expect(try await queue("overdue", officer.token) == [hate])
        }
    }
}

@Suite("The working calendar through the API")
struct CalendarAPITests {
    @Test("GET /calendar/holidays lists the year's bank holidays for a region, for anyone")
    func holidays() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.GET, "/api/v1/calendar/holidays?year=2026")
            #expect(reply.status == .ok)
            let days = ((try? JSONSerialization.jsonObject(with: reply.body)) as? [[String: Any]] ?? []).compactMap { $0["date"] as? String }
            #expect(days == ["2026-01-01", "2026-04-03", "2026-04-06", "2026-05-04", "2026-05-25", "2026-08-31",
                             "2026-12-25", "2026-12-28"])
            let scotland = try await t.send(.GET, "/api/v1/calendar/holidays?year=2026&region=scotland")
            #expect(scotland.text.contains("2026-11-30"), "St Andrew's Day")
            #expect(try await t.send(.GET, "/api/v1/calendar/holidays?year=1850").status == .badRequest)
        }
    }

    @Test("An admin's office closure day is skipped by deadlines computed afterwards; removing it restores the day")
    func closureDay() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin)
            let created = try await t.send(.POST, "/api/v1/calendar/overrides",
                                           json: ["kind": "closureDay", "date": "2026-11-25", "name": "Office closed for training"],
                                           token: admin.token)
            #expect(created.status == .created, "\(created.text)")
            let id = try #require(created.string("id"))
            let holidays = try await t.send(.GET, "/api/v1/calendar/holidays?year=2026")
            #expect(holidays.text.contains("Office closed for training"))

            _ = try await t.submitReport(["hate": true, "hateStrands": ["race"]])
            let milestone = try #require(try await CaseMilestone.query(on: t.app.db).first())
            // Tue 10:15 + 24 working hours, skipping Wednesday: Thu 10:15.
            #expect(milestone.dueAt == tuesdayMorning.addingTimeInterval(2 * 86_400))
            #expect(milestone.explanation.contains("Office closed for training"))

            #expect(try await t.send(.DELETE, "/api/v1/calendar/overrides/\(id)", token: admin.token).status == .noContent)
            let reference = try #require(try await t.submitReport(["hate": true, "hateStrands": ["race"]]).string("reference"))
            let secondCase = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
            let second = try #require(try await CaseMilestone.query(on: t.app.db).filter(\.$asbCase.$id == secondCase.requireID()).first())
            #expect(second.dueAt == tuesdayMorning.addingTimeInterval(86_400))
        }
    }

    @Test("Calendar changes are validated: real dates, names, only holidays can be removed, no duplicates")
    func badOverrides() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin)
            func post(_ body: [String: Any]) async throws -> TestApp.Reply {
                try await t.send(.POST, "/api/v1/calendar/overrides", json: body, token: admin.token)
            }
            #expect(try await post(["kind": "closureDay", "date": "2026-02-30", "name": "x"]).fieldErrors == ["date"])
            #expect(try await post(["kind": "closureDay", "date": "2026-12-01"]).fieldErrors == ["name"])
            #expect(try await post(["kind": "closureDay", "date": "2026-12-25", "name": "Christmas"]).fieldErrors == ["date"],
                    "Already a holiday")
            #expect(try await post(["kind": "removedHoliday", "date": "2026-12-01"]).fieldErrors == ["date"], "Not a holiday")
            #expect(try await post(["kind": "removedHoliday", "date": "2026-08-31"]).status == .created)
            let days = try await t.send(.GET, "/api/v1/calendar/holidays?year=2026")
            #expect(!days.text.contains("2026-08-31"))
            #expect(try await post(["kind": "extraHoliday", "date": "2026-09-01", "name": "Moved summer holiday"]).status == .created)
            #expect(try await post(["kind": "extraHoliday", "date": "2026-09-01", "name": "Again"]).fieldErrors == ["date"])
            let list = try await t.send(.GET, "/api/v1/calendar/overrides", token: admin.token)
            #expect(((try? JSONSerialization.jsonObject(with: list.body)) as? [Any])?.count == 2)
        }
    }
}

extension CaseListing {
    /// What a list row should show of a stored case (its neighbourhood and officer loaded).
    init(_ c: ASBCase) throws {
        func named(_ id: UUID?, _ name: String?) -> Named? { id.flatMap { id in name.map { Named(id: id, name: $0) } } }
        self.init(id: try c.requireID(), reference: c.reference, status: c.status, priority: c.priority, hate: c.hate,
                  hateStrands: c.hateStrands, categories: c.categories, channel: c.channel,
                  receivedAt: c.receivedAt, lastIncidentAt: c.lastIncidentAt, caseReviewStatus: c.caseReviewStatus,
                  caseReviewDueAt: c.caseReviewDueAt,
                  neighbourhood: named(c.$neighbourhood.id, (c.$neighbourhood.value ?? nil)?.name),
                  officer: named(c.$allocatedOfficer.id, (c.$allocatedOfficer.value ?? nil)?.displayName))
    }
}
