@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor

/// A year of casework built through the API and services, with every figure worked out by hand
/// beforehand (the comments show the sums). Runs on SQLite and, in `.ci/run`, on PostgreSQL.
@Suite("Statistics from a known dataset")
struct StatisticsTests {
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    struct Dataset {
        var leaderToken: String
        var analystToken: String
        var officer: User
        var references: [String: String] = [:]
    }

    /// Seven reports in 2026/27 (times in UTC; BST is UTC+1 until 25 October):
    /// - A  Tue 2 Jun 09:00, hate (race), P1, Eastwood, web, officer; response 11:00 (2.0 working hours, met).
    /// - B  Tue 2 Jun 09:01, hate (disability), P1, Westcliff, web, not allocated; never responded (breached).
    /// - C  Tue 2 Jun 09:02, noise, P3, Eastwood, letter, officer; response Wed 3 Jun (1 working day, met);
    ///      closed resolved Tue 16 Jun (14 days); survey 17 Jun: 5, 4, 3, 5, would report again.
    /// - D  Tue 2 Jun 09:03, recorded for information (not ASB): in no figure but the exclusions.
    /// - E  Fri 28 Aug 11:00, hate (religion), P1, officer, Police lead; A's reporter added as a victim (a
    ///      repeat victim); response Tue 1 Sep 09:00: 12 h on Friday, the weekend and the Summer bank
    ///      holiday skipped, 10 h on Tuesday = 22.0 working hours, met (due Tue 1 Sep 11:00).
    ///      Closed resolved Thu 15 Oct (48 days); reviewed internally on Tue 3 Nov.
    /// - F  Fri 28 Aug 11:00, hate (sexual orientation), P1, officer; response Tue 1 Sep 11:30: 24.5 working
    ///      hours, breached; a verbal warning completed 10 Sep, a written warning planned; closed
    ///      actions exhausted Mon 28 Sep (31 days); survey 29 Sep: 2, 1, would not report again.
    /// - G  Mon 23 Nov 09:00, noise, P3, not allocated: response pending when counted (Tue 24 Nov 10:15).
    /// Complaints: one received Mon 2 Nov, acknowledged Fri 6 Nov, answered (partly upheld) Fri 20 Nov,
    /// both on time; one received Mon 2 Nov, acknowledged Tue 10 Nov (late: due by the end of Mon 9 Nov).
    /// A compliment on Tue 3 Nov. Homes in 2026/27: 4,000.
    static func build(_ t: TestApp) async throws -> Dataset {
        let clock = t.clock
        clock.set(at("2026-06-01T08:00:00Z"))
        let (_, leader) = try await t.staffToken(.teamLeader, username: "leader.known")
        let (_, officer) = try await t.staffToken(.officer, username: "officer.known")
        _ = try await t.staffToken(.analyst, username: "analyst.known")
        let (_, _) = try await t.staffToken(.intake, username: "intake.known")
        // Months pass between steps, so each step signs in afresh (tokens expire).
        func leaderToken() async throws -> String { try await t.signIn("leader.known") }
        func intakeToken() async throws -> String { try await t.signIn("intake.known") }
        let reference = ReferenceDataService(app: t.app, db: t.app.db, requestID: nil)
        _ = try await reference.createNeighbourhood(name: "Eastwood", sectors: ["SS1 1"], by: .system)
        _ = try await reference.createNeighbourhood(name: "Westcliff", sectors: ["SS0 7"], by: .system)
        _ = try await HomesService(app: t.app, db: t.app.db, requestID: nil).set(year: "2026/27", homes: 4000, by: .system)
        var data = Dataset(leaderToken: "", analystToken: "", officer: officer)

        func report(_ key: String, at time: String, _ overrides: [String: Any] = [:], token: String? = nil) async throws {
            clock.set(at(time))
            var body: [String: Any] = ["occurredOn": String(time.prefix(10)), "occurredAt": "07:30"]
            for (k, v) in overrides { body[k] = v }
            let reply = try await t.submitReport(body, token: token)
            let reference = try #require(reply.string("reference"), "\(reply.text)")
            data.references[key] = reference
        }
        func ok(_ reply: TestApp.Reply, _ what: String, location: SourceLocation = #_sourceLocation) {
            #expect((200..<300).contains(reply.status.code), "\(what): \(reply.status) \(reply.text)", sourceLocation: location)
        }
        func met(_ key: String, at time: String) async throws {
            clock.set(at(time))
            ok(try await t.send(.POST, "/api/v1/cases/\(data.references[key]!)/milestones", json: ["milestone": "response"], token: try await leaderToken()),
               "response on \(key)")
        }
        func close(_ key: String, reason: String, at time: String) async throws {
            clock.set(at(time))
            let ref = data.references[key]!
            ok(try await t.send(.POST, "/api/v1/cases/\(ref)/closure-proposals", json: ["reason": reason, "explanation": "Worked through with the reporter."],
                                token: try await leaderToken()), "proposal on \(key)")
            ok(try await t.send(.POST, "/api/v1/cases/\(ref)/closure-contacts", json: ["method": "phone", "outcome": "agreed"], token: try await leaderToken()),
               "closure call on \(key)")
            if reason == "actionsExhausted" {
                ok(try await t.send(.POST, "/api/v1/cases/\(ref)/closure-approval", token: try await leaderToken()), "approval for \(key)")
            }
            ok(try await t.send(.POST, "/api/v1/cases/\(ref)/closure", token: try await leaderToken()), "closure of \(key)")
        }
        func prepare(_ key: String, allocate: Bool) async throws {
            ok(try await t.assess(data.references[key]!, token: try await leaderToken()), "assessment of \(key)")
            if allocate { ok(try await t.allocate(data.references[key]!, to: officer, token: try await leaderToken()), "allocation of \(key)") }
        }
        let hate = ["categories": ["verbalAbuse"], "hate": true] as [String: Any]

        // Quarter 1.
        try await report("A", at: "2026-06-02T09:00:00Z", hate.merging(["hateStrands": ["race"]]) { $1 })
        try await report("B", at: "2026-06-02T09:01:00Z", hate.merging(["hateStrands": ["disability"], "postcode": "SS0 7AA"]) { $1 })
        try await report("C", at: "2026-06-02T09:02:00Z", ["channel": "letter"], token: try await intakeToken())
        try await report("D", at: "2026-06-02T09:03:00Z")
        clock.set(at("2026-06-02T10:00:00Z"))
        try await prepare("A", allocate: true)
        try await prepare("C", allocate: true)
        ok(try await t.assess(data.references["D"]!, token: try await leaderToken(), notASB: true), "D recorded for information")
        ok(try await t.send(.PATCH, "/api/v1/cases/\(data.references["A"]!)", json: ["asbLimbs": ["harassmentAlarmOrDistress"]], token: try await leaderToken(),
                            headers: [("If-Match", try await t.version(of: data.references["A"]!))]), "limb of A")
        try await met("A", at: "2026-06-02T11:00:00Z")
        try await met("C", at: "2026-06-03T12:00:00Z")
        try await close("C", reason: "resolved", at: "2026-06-16T10:00:00Z")
        clock.set(at("2026-06-17T10:00:00Z"))
        try await SurveyService(app: t.app, db: t.app.db, requestID: nil).record(
            on: data.references["C"]!, channel: .phone,
            SurveyAnswers(overall: 5, keptInformed: 4, easeOfReporting: 3, listenedTo: 5, wouldReportAgain: true), by: .staff(leader))

        // Quarter 2, across the Summer bank holiday (Monday 31 August).
        try await report("E", at: "2026-08-28T11:00:00Z", hate.merging(["hateStrands": ["religionOrBelief"]]) { $1 })
        try await report("F", at: "2026-08-28T11:00:00Z", hate.merging(["hateStrands": ["sexualOrientation"]]) { $1 })
        clock.set(at("2026-08-28T12:00:00Z"))
        try await prepare("E", allocate: true)
        try await prepare("F", allocate: true)
        let police = try await t.agencyID("Police")
        ok(try await t.send(.PUT, "/api/v1/cases/\(data.references["E"]!)/lead-agency", json: ["agencyId": police, "reason": "Hate crime under investigation"],
                            token: try await leaderToken()), "lead agency of E")
        let victim = try await t.partyID("reporter", on: data.references["A"]!, token: try await leaderToken())
        ok(try await t.send(.POST, "/api/v1/cases/\(data.references["E"]!)/parties", json: ["partyId": victim, "role": "victim"], token: try await leaderToken()),
           "A's reporter on E")
        try await met("E", at: "2026-09-01T09:00:00Z")
        try await met("F", at: "2026-09-01T11:30:00Z")
        clock.set(at("2026-09-10T10:00:00Z"))
        ok(try await t.send(.POST, "/api/v1/cases/\(data.references["F"]!)/enforcement",
                            json: ["type": "verbalWarning", "on": "2026-09-10", "status": "completed"], token: try await leaderToken()), "verbal warning")
        ok(try await t.send(.POST, "/api/v1/cases/\(data.references["F"]!)/enforcement",
                            json: ["type": "writtenWarning", "on": "2026-09-20", "status": "planned"], token: try await leaderToken()), "written warning")
        try await close("F", reason: "actionsExhausted", at: "2026-09-28T10:00:00Z")
        clock.set(at("2026-09-29T10:00:00Z"))
        try await SurveyService(app: t.app, db: t.app.db, requestID: nil).record(
            on: data.references["F"]!, channel: .paper, SurveyAnswers(overall: 2, keptInformed: 1, wouldReportAgain: false), by: .staff(leader))

        // Quarter 3.
        try await close("E", reason: "resolved", at: "2026-10-15T10:00:00Z")
        let feedback = FeedbackService(app: t.app, db: t.app.db, requestID: nil)
        clock.set(at("2026-11-02T09:00:00Z"))
        let onTime = try await feedback.record(FeedbackDraft(kind: .complaint, text: "Nobody called back for a week.", name: "Sam Example",
                                                             email: "sam@example.org"), channel: .email, by: .staff(leader))
        let late = try await feedback.record(FeedbackDraft(kind: .complaint, text: "The letter had the wrong date.", name: "Robin Sample",
                                                           phone: "01632 960 123"), channel: .phone, by: .staff(leader))
        let sample = try await InternalReviewService(app: t.app, db: t.app.db, requestID: nil).draw(month: "2026-10", by: .system)
        #expect(sample.closedCount == 1)
        clock.set(at("2026-11-03T10:00:00Z"))
        _ = try await feedback.record(FeedbackDraft(kind: .compliment, text: "The officer was kind and quick.", officerName: "Officer Known"),
                                      channel: .web, by: .publicReporter)
        let review = try #require(try await InternalCaseReview.query(on: t.app.db).first())
        var answers = Dictionary(uniqueKeysWithValues: InternalReviewRules.checklist.map { ($0.id, InternalReviewRules.Answer.yes) })
        answers["partners"] = .notApplicable
        try await InternalReviewService(app: t.app, db: t.app.db, requestID: nil)
            .complete(review.requireID(), answers: answers, findings: "Well run.", actions: nil, by: leader)
        clock.set(at("2026-11-06T10:00:00Z"))
        _ = try await feedback.advance(onTime.requireID(), .init(to: .acknowledged), by: .staff(leader))
        clock.set(at("2026-11-10T10:00:00Z"))
        _ = try await feedback.advance(late.requireID(), .init(to: .acknowledged), by: .staff(leader))
        clock.set(at("2026-11-12T10:00:00Z"))
        _ = try await feedback.advance(onTime.requireID(), .init(to: .investigating, investigatorID: leader.id), by: .staff(leader))
        clock.set(at("2026-11-20T16:00:00Z"))
        _ = try await feedback.advance(onTime.requireID(), .init(to: .closed, outcome: .partlyUpheld, improvementActions: "Call-back log checked daily."),
                                       by: .staff(leader))
        try await report("G", at: "2026-11-23T09:00:00Z")
        clock.set(tuesdayMorning)
        data.leaderToken = try await leaderToken()
        data.analystToken = try await t.signIn("analyst.known")
        return data
    }

    @Test("SS-MON-1, SS-MON-3, SS-MON-5: every figure of 2026/27 from a known dataset, exactly")
    func knownYear() async throws {
        try await TestApp.run { t in
            let data = try await Self.build(t)
            let figures = try await StatisticsService.figures(year: "2026/27", app: t.app, db: t.app.db, now: t.clock.now)
            #expect(figures.map(\.period) == ["2026/27 Q1 (Apr–Jun 2026)", "2026/27 Q2 (Jul–Sep 2026)", "2026/27 Q3 (Oct–Dec 2026)",
                                              "2026/27 Q4 (Jan–Mar 2027)", "2026/27"])
            let year = figures[4]
            #expect(year.kind == "financialYear" && year.from == "2026-04-01" && year.to == "2027-03-31")
            // Seven reports; D is not ASB; A, B, E and F are hate cases.
            #expect(year.reportsReceived == 7 && year.newCases == 6 && year.notASB == 1 && year.hateCases == 4)
            #expect(year.byChannel == ["web": 5, "letter": 1])
            #expect(year.byLimb == ["harassmentAlarmOrDistress": 1])
            #expect(year.byCategory == ["noise": 2, "verbalAbuse": 4])
            #expect(year.byHateStrand == ["race": 1, "disability": 1, "religionOrBelief": 1, "sexualOrientation": 1])
            #expect(year.byNeighbourhood == ["Eastwood": 5, "Westcliff": 1])
            #expect(year.byLeadAgency == ["Police": 1, "Landlord": 5])
            #expect(year.repeatVictims == 1)
            // P1 response: A met, B breached, E met (across the bank holiday), F breached. P3: C met, G pending.
            #expect(year.compliance == [
                .init(priority: 1, milestone: "response", due: 4, met: 2, breached: 2, pending: 0),
                .init(priority: 3, milestone: "response", due: 2, met: 1, breached: 0, pending: 1),
            ])
            #expect(year.complianceByOfficer == [
                .init(name: "Not allocated", due: 2, met: 0, breached: 1, pending: 1),
                .init(name: data.officer.displayName, due: 4, met: 3, breached: 1, pending: 0),
            ])
            #expect(year.complianceByNeighbourhood == [
                .init(name: "Eastwood", due: 5, met: 3, breached: 1, pending: 1),
                .init(name: "Westcliff", due: 1, met: 0, breached: 1, pending: 0),
            ])
            // 2.0, 22.0 and 24.5 working hours; 1 working day.
            #expect(year.timing == [
                .init(priority: 1, milestone: "response", unit: "workingHours", count: 3, median: 22.0, p90: 24.5),
                .init(priority: 3, milestone: "response", unit: "workingDays", count: 1, median: 1, p90: 1),
            ])
            // Open now: A and B (received 2 June: three to six months), G (yesterday).
            #expect(year.openCaseload == .init(asAt: "2026-11-24", open: 3, byAge: ["threeToSixMonths": 2, "underOneMonth": 1]))
            #expect(year.enforcementByType == ["verbalWarning": 1])
            #expect(year.closedByReason == ["resolved": 2, "actionsExhausted": 1])
            // 14, 31 and 48 days.
            #expect(year.caseDuration == .init(closed: 3, meanDays: 31, medianDays: 31))
            #expect(year.satisfaction == .init(
                overall: .init(answered: 2, positive: 1), keptInformed: .init(answered: 2, positive: 1),
                easeOfReporting: .init(answered: 1, positive: 0), listenedTo: .init(answered: 1, positive: 1),
                wouldReportAgain: .init(answered: 2, positive: 1), dissatisfactionReviewsOpened: 1, dissatisfactionReviewsClosed: 0))
            #expect(year.complaints == .init(received: 2, acknowledged: 2, acknowledgedOnTime: 1, answered: 1, answeredOnTime: 1,
                                             byOutcome: ["partlyUpheld": 1], compliments: 1))
            #expect(year.internalReviews == .init(completed: 1, answers: [
                "riskAssessment": ["yes": 1], "actionPlan": ["yes": 1], "contact": ["yes": 1], "partners": ["notApplicable": 1],
                "outcome": ["yes": 1], "closure": ["yes": 1],
            ]))
            // NM01: 6 ASB cases and 4 hate cases per 4,000 homes.
            #expect(year.nm01 == .init(homes: 4000, asbCases: 6, hateCases: 4, excludedNotASB: 1, asbPerThousandHomes: 1.5, hatePerThousandHomes: 1.0))

            // The quarters split the same cases.
            let (q1, q2, q3, q4) = (figures[0], figures[1], figures[2], figures[3])
            #expect([q1, q2, q3, q4].map(\.newCases) == [3, 2, 1, 0] && [q1, q2, q3, q4].map(\.notASB) == [1, 0, 0, 0])
            #expect([q1, q2, q3, q4].map(\.repeatVictims) == [0, 1, 0, 0])
            #expect(q1.nm01 == nil && q1.kind == "quarter")
            #expect(q1.openCaseload == .init(asAt: "2026-06-30", open: 2, byAge: ["underOneMonth": 2]))
            #expect(q2.openCaseload == .init(asAt: "2026-09-30", open: 3, byAge: ["threeToSixMonths": 2, "oneToThreeMonths": 1]))
            #expect(q2.compliance == [.init(priority: 1, milestone: "response", due: 2, met: 1, breached: 1, pending: 0)])
            #expect(q2.timing == [.init(priority: 1, milestone: "response", unit: "workingHours", count: 2, median: 22.0, p90: 24.5)])
            #expect(q1.closedByReason == ["resolved": 1] && q2.closedByReason == ["actionsExhausted": 1] && q3.closedByReason == ["resolved": 1])
            #expect(q1.caseDuration == .init(closed: 1, meanDays: 14, medianDays: 14) && q4.caseDuration == .init(closed: 0))
            #expect(q2.enforcementByType == ["verbalWarning": 1] && q3.enforcementByType.isEmpty)
            #expect(q2.satisfaction.dissatisfactionReviewsOpened == 1 && q1.satisfaction.overall == .init(answered: 1, positive: 1))
            #expect(q3.complaints.received == 2 && q3.internalReviews.completed == 1 && q2.complaints.received == 0)

            // By month: June has A, B, C (and D recorded for information), August E and F, November G.
            let months = try await StatisticsService.figures(year: "2026/27", breakdown: "months", app: t.app, db: t.app.db, now: t.clock.now)
            #expect(months.count == 13 && months[2].period == "June 2026" && months[2].kind == "month")
            #expect(months.prefix(12).map(\.newCases) == [0, 0, 3, 0, 2, 0, 0, 1, 0, 0, 0, 0])
            #expect(months[2].notASB == 1 && months[12] == year)
        }
    }

    @Test("SS-MON-1: on an SQLite file a year's milestones and repeat victims are read on the report reader's connection beside the request's own, and every figure is the same as read on one connection")
    func reportReader() async throws {
        try await TestApp.run { t in
            // PostgreSQL's pool gives each of the longest reads a connection of its own instead.
            guard t.app.asb.reportReader != nil else { return }
            _ = try await Self.build(t)
            let queries = QueryLog()
            var logger = Logger(label: "statistics-test") { _ in QueryLog.Handler(log: queries) }
            logger.logLevel = .debug
            let db = try #require(t.app.databases.database(.sqlite, logger: logger, on: t.app.eventLoopGroup.next()))
            let split = try await StatisticsService.figures(year: "2026/27", app: t.app, db: db, now: t.clock.now)

            let reads = queries.entries
            let milestones = reads.filter { $0.sql.contains("case_milestones") }, repeats = reads.filter { $0.sql.contains("case_parties") }
            let received = reads.filter { $0.sql.contains("c.channel AS channel") }
            #expect(milestones.count == 1 && milestones.allSatisfy { $0.database == DatabaseID.sqliteReports.string })
            #expect(repeats.count == 1 && repeats.allSatisfy { $0.database == DatabaseID.sqliteReports.string })
            #expect(received.count == 1 && received.allSatisfy { $0.database == DatabaseID.sqlite.string })
            #expect(Set(reads.map(\.database)) == [DatabaseID.sqlite.string, DatabaseID.sqliteReports.string])

            // Without the report reader every read goes to the request's connection, with the same figures.
            t.app.asb.reportReader = nil
            let alone = try await StatisticsService.figures(year: "2026/27", app: t.app, db: db, now: t.clock.now)
            #expect(queries.entries.dropFirst(reads.count).allSatisfy { $0.database == DatabaseID.sqlite.string })
            #expect(alone == split && split[4].repeatVictims == 1 && split[4].compliance.count == 2)
        }
    }

    @Test("SS-MON-1: when a priority's rule changed from hours to days, its times are reported per unit, each with its own median, in the year and its quarters")
    func timingPerUnit() async throws {
        try await TestApp.run { t in
            let data = try await Self.build(t)
            // F's response (24.5 working hours) as if its rule had been 2 working days, met in 2.
            let sql = try #require(t.app.db as? any SQLDatabase)
            let f = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == data.references["F"]!).first()?.id)
            try await sql.raw("""
                UPDATE case_milestones SET rule = \(bind: DeadlineRule.workingDays(2).storageValue), elapsed = 2
                WHERE case_id = \(bind: f) AND milestone = 'response'
                """).run()
            // A's as a third of an hour: a time with no short decimal form comes back exactly.
            let a = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == data.references["A"]!).first()?.id)
            try await sql.raw("UPDATE case_milestones SET elapsed = \(bind: 1.0 / 3.0) WHERE case_id = \(bind: a) AND milestone = 'response'").run()
            let figures = try await StatisticsService.figures(year: "2026/27", app: t.app, db: t.app.db, now: t.clock.now)
            // Hours: ⅓ (A) and 22.0 (E); days: 2 (F), and 1 (C, priority 3).
            #expect(figures[4].timing == [
                .init(priority: 1, milestone: "response", unit: "workingDays", count: 1, median: 2, p90: 2),
                .init(priority: 1, milestone: "response", unit: "workingHours", count: 2, median: 1.0 / 3.0, p90: 22.0),
                .init(priority: 3, milestone: "response", unit: "workingDays", count: 1, median: 1, p90: 1),
            ])
            #expect(figures[1].timing == [
                .init(priority: 1, milestone: "response", unit: "workingDays", count: 1, median: 2, p90: 2),
                .init(priority: 1, milestone: "response", unit: "workingHours", count: 1, median: 22.0, p90: 22.0),
            ])
        }
    }

    @Test("SS-MON-1: milestones stored before they carried their working time and their case's closure get both filled in, and every figure stays the same")
    func fillIn() async throws {
        try await TestApp.run { t in
            _ = try await Self.build(t)
            func year() async throws -> [StatisticsService.PeriodFigures] {
                try await StatisticsService.figures(year: "2026/27", app: t.app, db: t.app.db, now: t.clock.now)
            }
            let before = try await year()
            #expect(!before[4].timing.isEmpty)
            let sql = try #require(t.app.db as? any SQLDatabase)
            try await sql.raw("UPDATE case_milestones SET elapsed = NULL, case_closed_at = NULL").run()
            #expect(try await year()[4].timing.isEmpty, "The timing reads the stored working time")
            let calendar = try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
            try await UpdateMilestoneAddElapsedAndCaseClosed.fillIn(on: t.app.db, calendar: calendar)
            #expect(try await year() == before)
            let rows = try await CaseMilestone.query(on: t.app.db).with(\.$asbCase).all()
            #expect(rows.contains { $0.caseClosedAt != nil } && rows.allSatisfy { $0.caseClosedAt == $0.asbCase.closedAt })
            #expect(rows.contains { $0.metAt != nil } && rows.allSatisfy { ($0.metAt == nil) == ($0.elapsed == nil) })
        }
    }

    @Test("SS-MON-4: the API, asb stats (JSON and CSV) and the published page carry the same numbers")
    func sameNumbersEverywhere() async throws {
        try await TestApp.run { t in
            let data = try await Self.build(t)
            let reply = try await t.send(.GET, "/api/v1/statistics/performance?year=2026/27", token: data.analystToken)
            #expect(reply.status == .ok)
            let api = try JSONSerialization.jsonObject(with: reply.body) as? NSArray
            let printed = try await t.command(["stats", "--year", "2026/27"]).joined(separator: "\n")
            let cli = try JSONSerialization.jsonObject(with: Data(printed.utf8)) as? NSArray
            #expect(api != nil && api == cli)
            let csv = try await t.command(["stats", "--year", "2026/27", "--format", "csv"])
            #expect(csv.first == "period,from,to,measure,value")
            #expect(csv.contains("2026/27,2026-04-01,2027-03-31,compliance.p1.response.breached,2"))
            #expect(csv.contains("2026/27,2026-04-01,2027-03-31,complianceByOfficer.\(data.officer.displayName).met,3"))
            #expect(csv.contains("2026/27,2026-04-01,2027-03-31,timing.p1.response.median.workingHours,22"))
            #expect(csv.contains("2026/27,2026-04-01,2027-03-31,nm01.asbPerThousandHomes,1.5"))
            #expect(csv.contains("2026/27 Q2 (Jul–Sep 2026),2026-07-01,2026-09-30,repeatVictims,1"))
            // Bad input is refused with a problem, not a guess.
            for bad in ["year=2026-27", "year=2026/28", "year=2026/27&breakdown=weeks", "breakdown=months"] {
                #expect(try await t.send(.GET, "/api/v1/statistics/performance?\(bad)", token: data.analystToken).status == .badRequest, "\(bad)")
            }
            // An officer may not read statistics.
            let (officerToken, _) = try await t.staffToken(.officer)
            #expect(try await t.send(.GET, "/api/v1/statistics/performance", token: officerToken).status == .forbidden)

            // The published page in May 2027, when 2026/27 is the last complete year: small numbers
            // controlled, NM01 from the stored homes count.
            t.clock.set(Self.at("2027-05-10T09:00:00Z"))
            let web = WebClient(t.app)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try await web.get("/performance.json").html.utf8)) as? [[String: Any]])
            func value(_ caption: String, _ label: String, column: Int = 4) -> String? {
                let table = json.first { ($0["caption"] as? String)?.hasPrefix(caption) == true }
                let row = (table?["rows"] as? [[String: Any]])?.first { $0["label"] as? String == label }
                return (row?["values"] as? [String]).flatMap { column < $0.count ? $0[column] : nil }
            }
            #expect((json.first?["periods"] as? [String])?.last == "2026/27")
            #expect(value("Reports", "New cases") == "6")
            #expect(value("Reports", "Hate crime and hate incident cases") == "fewer than 5")
            #expect(value("Tenant Satisfaction Measure NM01", "NM01 (1): ASB cases opened per 1,000 homes", column: 0) == "1.5")
            #expect(value("Tenant Satisfaction Measure NM01", "NM01 (2): ASB cases involving hate incidents per 1,000 homes", column: 0) == "1.0")
            #expect(value("Complaints and compliments", "Acknowledged within 5 working days") == "Too few complaints to publish")
            #expect(value("Satisfaction", "Surveys answered") == "fewer than 5")
        }
    }

    @Test("NM01: the homes count is set per year by the admin API and asb config; bad input is refused and changes nothing")
    func homesCount() async throws {
        try await TestApp.run { t in
            let (adminToken, _) = try await t.staffToken(.admin)
            let (analystToken, _) = try await t.staffToken(.analyst)
            let set = try await t.send(.PUT, "/api/v1/settings/homes", json: ["year": "2026/27", "homes": 12480], token: adminToken)
            #expect(set.status == .ok && set.json["homes"] as? Int == 12480 && set.json["year"] as? String == "2026/27")
            #expect(try await t.send(.PUT, "/api/v1/settings/homes", json: ["year": "2026/27", "homes": 12500], token: adminToken).status == .ok)
            let bad = try await t.send(.PUT, "/api/v1/settings/homes", json: ["year": "2026/28", "homes": 0], token: adminToken)
            #expect(bad.status == .unprocessableEntity && Set(bad.fieldErrors) == ["year", "homes"])
            #expect(try await t.send(.PUT, "/api/v1/settings/homes", json: ["year": "2026/27", "homes": 5], token: analystToken).status == .forbidden)
            let list = try await t.send(.GET, "/api/v1/settings/homes", token: analystToken)
            #expect(list.status == .ok)
            let entries = try #require(try JSONSerialization.jsonObject(with: list.body) as? [[String: Any]])
            #expect(entries.count == 1 && entries.first?["homes"] as? Int == 12500)
            let audit = try await AuditEvent.query(on: t.app.db).filter(\.$action == "settings.homes").count()
            #expect(audit == 2)

            // The command line sets the same row.
            #expect(try await t.command(["config", "set", "homes", "--year", "2025/26", "11,900"]) == ["2025/26: 11900 homes"])
            #expect(try await t.command(["config", "homes"]) == ["2026/27\t12500", "2025/26\t11900"])
            await #expect(throws: (any Error).self) { try await t.command(["config", "set", "homes", "--year", "2025", "100"]) }
            await #expect(throws: (any Error).self) { try await t.command(["config", "set", "homes", "--year", "2025/26", "lots"]) }
            #expect(try await HomesService(app: t.app, db: t.app.db, requestID: nil).homes(inYearStartingIn: 2025) == 11900)
        }
    }
}
