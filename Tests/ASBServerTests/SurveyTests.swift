import ASBCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import ASBServer

@Suite("Satisfaction surveys")
struct SurveyTests {
    /// Reports, assesses, allocates and closes a case through the API; returns its reference.
    private func closedCase(_ t: TestApp) async throws -> (reference: String, leader: User) {
        let reference = try await t.submitReport().string("reference")!
        let (token, leader) = try await t.staffToken(.teamLeader)
        _ = try await t.assess(reference, token: token)
        _ = try await t.allocate(reference, to: leader, token: token)
        _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-proposals",
                             json: ["reason": "resolved", "explanation": "The music has stopped."], token: token)
        _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-contacts",
                             json: ["method": "phone", "outcome": "agreed", "reasons": "Happy to close"], token: token)
        let closed = try await t.send(.POST, "/api/v1/cases/\(reference)/closure", token: token)
        #expect(closed.status == .ok, "\(closed.text)")
        return (reference, leader)
    }

    @Test("SS-MON-3: closing sends the survey link; the reporter answers once; 1 or 2 overall asks for a team leader's review")
    func answerFromTheLink() async throws {
        try await TestApp.run { t in
            let (reference, _) = try await closedCase(t)
            let message = try #require(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .satisfactionSurvey).first())
            let link = try #require(message.textBody.split(separator: "\n").first { $0.contains("/survey/") })
            let path = String(link[link.range(of: "/survey/")!.lowerBound...])
            #expect(try await OutboxMessage.query(on: t.app.db).filter(\.$kind == .closureConfirmed).count() == 1)

            let web = WebClient(t.app)
            let page = try await web.get(path)
            #expect(page.status == .ok && page.contains(reference))
            let missing = try await web.post(path, [("keptInformed", "4")])
            #expect(missing.status == .unprocessableEntity && missing.errorSummary == ["Tell us how satisfied you are overall."])
            #expect(missing.contains("value=\"4\" checked"))
            let sent = try await web.post(path, [("overall", "2"), ("keptInformed", "1"), ("wouldReportAgain", "no"),
                                                 ("comments", "Nobody called me back for two weeks.")])
            #expect(sent.status == .ok && sent.contains("Thank you for your answers"))
            let survey = try #require(try await SatisfactionSurvey.query(on: t.app.db).first())
            #expect(survey.status == "answered" && survey.overall == 2 && survey.answeredBy == .link && survey.wouldReportAgain == false)
            let event = try #require(try await CaseEvent.query(on: t.app.db).filter(\.$kind == .surveyAnswered).first())
            #expect(event.summary.contains("dissatisfied: a team leader reviews the case"))
            // Used once.
            #expect(try await web.get(path).status == .notFound)
            #expect(try await web.get("/survey/not-a-token").status == .notFound)
        }
    }

    @Test("SS-MON-3: staff enter answers given by phone on the closed case's page")
    func staffEntry() async throws {
        try await TestApp.run { t in
            let (reference, leader) = try await closedCase(t)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            let page = try await web.get("/staff/cases/\(reference)")
            #expect(page.contains("form-survey"))
            let saved = try await web.post("/staff/cases/\(reference)/survey", [("channel", "phone"), ("overall", "5"), ("listenedTo", "5")])
            #expect(saved.status == .seeOther)
            let survey = try #require(try await SatisfactionSurvey.query(on: t.app.db).first())
            #expect(survey.answeredBy == .phone && survey.overall == 5 && survey.$enteredBy.id == leader.id)
            #expect(!(try await web.get("/staff/cases/\(reference)").contains("form-survey")))
        }
    }

    @Test("SS-CLS-1: a closed case's page offers reopening, a contact log and the survey, and no casework a closed case refuses; such a form posted anyway is refused with the rule shown")
    func closedCasePage() async throws {
        try await TestApp.run { t in
            let (reference, leader) = try await closedCase(t)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            let page = try await web.get("/staff/cases/\(reference)")
            #expect(page.status == .ok)
            for offered in ["form-reopen", "form-contact", "form-survey", "form-attachment"] {
                #expect(page.contains("id=\"\(offered)\""), "\(offered) is offered on a closed case")
            }
            let refused = CaseForm.allCases.filter { $0.casework != nil }
            // Every casework but classification, which the page has no form for (the API's PATCH).
            #expect(refused.count == Casework.allCases.count - 1 && Set(refused.compactMap(\.casework)) == Set(Casework.allCases).subtracting([.classify]))
            for form in refused {
                #expect(!page.contains("id=\"form-\(form.rawValue)\""), "\(form) is not offered on a closed case")
            }
            let reporter = try #require(try await CaseParty.query(on: t.app.db).filter(\.$role == .reporter).first()).$party.id
            let posted = try await web.post("/staff/cases/\(reference)/contact-plan",
                                            [("partyId", reporter.uuidString), ("frequency", "weekly"), ("method", "phone")])
            #expect(posted.status == .conflict)
            #expect(posted.errorSummary == ["The case is closed: reopen it, with a reason, before you agree how often to keep in touch. (SS-CLS-1)"])
            #expect(try await ContactPlan.query(on: t.app.db).count() == 0)
        }
    }

    @Test("Survey answers: overall required, every score 1 to 5, comments trimmed and limited")
    func rules() throws {
        #expect(throws: ValidationFailure.self) { try SatisfactionRules.validate(SurveyAnswers()) }
        #expect(throws: ValidationFailure.self) { try SatisfactionRules.validate(SurveyAnswers(overall: 6)) }
        #expect(throws: ValidationFailure.self) { try SatisfactionRules.validate(SurveyAnswers(overall: 3, listenedTo: 0)) }
        #expect(try SatisfactionRules.validate(SurveyAnswers(overall: 3, comments: "  ")).comments == nil)
        #expect(SatisfactionRules.needsDissatisfactionReview(SurveyAnswers(overall: 2)))
        #expect(!SatisfactionRules.needsDissatisfactionReview(SurveyAnswers(overall: 3)))
    }
}

@Suite("Complaints and compliments")
struct FeedbackTests {
    @Test("SS-MON-5: a complaint from the website is acknowledged, investigated and closed with its outcome and improvement actions")
    func complaint() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let web = WebClient(t.app)
            try await web.get("/feedback")
            let missing = try await web.post("/feedback", [("kind", "complaint"), ("text", "Nobody called me back."), ("caseReference", reference)])
            #expect(missing.status == .unprocessableEntity)
            #expect(Set(missing.errorSummary) == ["Give your name, so we can reply to your complaint.",
                                                  "Give an email address or a phone number, so we can reply to your complaint."])
            let sent = try await web.post("/feedback", [("kind", "complaint"), ("text", "Nobody called me back."), ("caseReference", reference.lowercased()),
                                                        ("name", "Robin Example"), ("email", "robin@example.org")])
            #expect(sent.status == .ok && sent.contains("feedback-reference"))
            let stored = try #require(try await Feedback.query(on: t.app.db).with(\.$asbCase).first())
            #expect(stored.asbCase?.reference == reference && stored.status == .received && stored.channel == .web)

            let (_, leader) = try await t.staffToken(.teamLeader)
            let staff = WebClient(t.app)
            try await staff.signIn(leader.username, password: "correct-horse-\(leader.username)")
            #expect(try await staff.get("/staff/feedback").contains(stored.shortReference))
            let path = "/staff/feedback/\(stored.id!.uuidString)"
            try await staff.get(path)
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "feedback.read").count() == 1, "reading a complaint is audited")
            // Steps in order only.
            let early = try await staff.post(path, [("to", "closed"), ("outcome", "upheld"), ("improvementActions", "x")])
            #expect(early.status == .conflict)
            #expect(try await staff.post(path, [("to", "acknowledged")]).status == .seeOther)
            try await staff.get(path)
            #expect(try await staff.post(path, [("to", "investigating"), ("investigatorId", leader.id!.uuidString)]).status == .seeOther)
            try await staff.get(path)
            let noActions = try await staff.post(path, [("to", "closed"), ("outcome", "upheld")])
            #expect(noActions.status == .unprocessableEntity && noActions.contains("id=\"improvementActions-error\""))
            #expect(try await staff.post(path, [("to", "closed"), ("outcome", "upheld"),
                                                ("improvementActions", "Call-backs within two working days; team leader checks weekly.")]).status == .seeOther)
            let closed = try #require(try await Feedback.query(on: t.app.db).first())
            #expect(closed.status == .closed && closed.outcome == .upheld && closed.$investigator.id == leader.id && closed.acknowledgedAt != nil)
        }
    }

    @Test("SS-MON-5: a compliment may be anonymous; staff record one from a phone call; it closes once passed on")
    func compliments() async throws {
        try await TestApp.run { t in
            let web = WebClient(t.app)
            try await web.get("/feedback")
            #expect(try await web.post("/feedback", [("kind", "compliment"), ("text", "The officer was kind."), ("officerName", "Sam")]).status == .ok)
            let (_, intake) = try await t.staffToken(.intake)
            let (_, leader) = try await t.staffToken(.teamLeader)
            let staff = WebClient(t.app)
            try await staff.signIn(leader.username, password: "correct-horse-\(leader.username)")
            try await staff.get("/staff/feedback")
            let recorded = try await staff.post("/staff/feedback", [("channel", "phone"), ("receivedOn", "2026-11-23"), ("kind", "compliment"),
                                                                    ("text", "Thanked us for sorting the noise out.")])
            #expect(recorded.status == .seeOther)
            #expect(try await Feedback.query(on: t.app.db).filter(\.$channel == .phone).count() == 1)
            let first = try #require(try await Feedback.query(on: t.app.db).filter(\.$channel == .web).first())
            try await staff.get("/staff/feedback/\(first.id!.uuidString)")
            #expect(try await staff.post("/staff/feedback/\(first.id!.uuidString)", [("to", "closed")]).status == .seeOther)
            #expect(try await Feedback.query(on: t.app.db).filter(\.$status == .closed).count() == 1)
            // Only staff record from other channels.
            _ = intake
            await #expect(throws: AppError.self) {
                _ = try await FeedbackService(app: t.app, db: t.app.db, requestID: nil)
                    .record(FeedbackDraft(kind: .compliment, text: "Well done"), channel: .phone, by: .publicReporter)
            }
        }
    }
}

@Suite("Published performance")
struct PerformanceTests {
    @Test("SS-MON-4: the page reports response times met, new and hate cases and not-ASB records exactly, with small numbers controlled; CSV and JSON agree")
    func knownDataset() async throws {
        try await TestApp.run { t in
            _ = try await HomesService(app: t.app, db: t.app.db, requestID: nil).set(year: "2025/26", homes: 4000, by: .system)
            let (token, leader) = try await t.staffToken(.teamLeader)
            var hate: [String] = []
            for _ in 0..<6 { hate.append(try await t.submitReport(["hate": true, "hateStrands": ["race"]]).string("reference")!) }
            let quiet = try await t.submitReport().string("reference")!
            let information = try await t.submitReport().string("reference")!
            _ = try await t.assess(information, token: token, notASB: true)
            // Five responses in time, two working hours after receipt; the sixth never made.
            t.clock.advance(by: 7200)
            for reference in hate.prefix(5) {
                _ = try await t.allocate(reference, to: leader, token: token)
                let met = try await t.send(.POST, "/api/v1/cases/\(reference)/milestones", json: ["milestone": "response"], token: token)
                #expect(met.status == .created, "\(met.text)")
            }
            t.clock.advance(by: 3 * 86_400)
            _ = quiet

            let web = WebClient(t.app)
            let page = try await web.get("/performance")
            #expect(page.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(try await web.get("/performance.json").html.utf8)) as? [[String: Any]])
            func value(_ caption: String, _ label: String, column: Int = 3) -> String? {
                let table = json.first { ($0["caption"] as? String)?.hasPrefix(caption) == true }
                let row = (table?["rows"] as? [[String: Any]])?.first { $0["label"] as? String == label }
                return (row?["values"] as? [String])?[column]
            }
            #expect((json.first?["periods"] as? [String]) == ["2025/26 Q4 (Jan–Mar 2026)", "2026/27 Q1 (Apr–Jun 2026)",
                                                              "2026/27 Q2 (Jul–Sep 2026)", "2026/27 Q3 (Oct–Dec 2026)", "2025/26"])
            #expect(value("Response times met", "Priority 1: response within 24 working hours") == "83% met (6 cases)")
            #expect(value("Response times met", "Priority 1: response within 24 working hours", column: 0) == "No cases")
            #expect(value("Response times met", "Priority 3: response within 10 working days") == "fewer than 5 pending")
            #expect(value("Reports", "New cases") == "7")
            #expect(value("Reports", "Hate crime and hate incident cases") == "6")
            #expect(value("Reports", "Reports recorded for information (not ASB)") == "fewer than 5")
            #expect(value("How long it took", "Priority 1: time to response") == "median 2.0 working hours; 9 in 10 within 2.0")
            #expect(value("How long it took", "Priority 3: time to response") == "Too few cases to publish")
            #expect(value("Reports", "About: noise") == "7")
            #expect(value("Reports", "Hate: race, ethnicity or nationality") == "6")
            // NM01 is published for the last complete year (2025/26: no cases then); this year's is in StatisticsTests.
            #expect(value("Tenant Satisfaction Measure NM01", "NM01 (1): ASB cases opened per 1,000 homes", column: 0) == "0.0")
            #expect(value("Tenant Satisfaction Measure NM01", "NM01 (2): ASB cases involving hate incidents per 1,000 homes", column: 0) == "0.0")
            #expect(page.contains("83% met (6 cases)") && page.contains("fewer than 5"))
            // The printable report draws the same figure.
            let report = try await web.get("/performance/report")
            #expect(report.status == .ok && report.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\""))
            #expect(report.contains(">83% met</text>"))
            // Staff see it by officer: the leader's five met of five decided, the unallocated one breached.
            let analyst = try await t.staffToken(.analyst)
            let staffWeb = WebClient(t.app)
            try await staffWeb.signIn(analyst.user.username, password: "correct-horse-\(analyst.user.username)")
            let dashboard = try await staffWeb.get("/staff/dashboard")
            #expect(dashboard.status == .ok && dashboard.contains("Response times met by officer, 2026/27"))
            #expect(dashboard.contains("<td>\(leader.displayName)</td><td>100%</td><td>5</td><td>0</td><td>0</td>"))
            let csv = try await web.get("/performance.csv").html
            #expect(csv.contains("Response times met,Priority 1: response within 24 working hours,2026/27 Q3 (Oct–Dec 2026),83% met (6 cases)"))
        }
    }
}

@Suite("Statistics API and asb stats")
struct StatisticsAPITests {
    @Test("SS-MON-4: the API and asb stats give the same figures; the page's are the same numbers after disclosure control")
    func sameNumbers() async throws {
        try await TestApp.run { t in
            for _ in 0..<6 { _ = try await t.submitReport(["hate": true, "hateStrands": ["disability"]]) }
            let (token, _) = try await t.staffToken(.analyst)
            let reply = try await t.send(.GET, "/api/v1/statistics/performance?year=2026/27", token: token)
            #expect(reply.status == .ok)
            let figures = try #require(try JSONSerialization.jsonObject(with: reply.body) as? [[String: Any]])
            #expect(figures.map { $0["period"] as? String } == ["2026/27 Q1 (Apr–Jun 2026)", "2026/27 Q2 (Jul–Sep 2026)",
                                                              "2026/27 Q3 (Oct–Dec 2026)", "2026/27 Q4 (Jan–Mar 2027)", "2026/27"])
            #expect(figures[2]["newCases"] as? Int == 6 && figures[2]["hateCases"] as? Int == 6 && figures[4]["newCases"] as? Int == 6)
            let compliance = try #require(figures[2]["compliance"] as? [[String: Any]])
            #expect(compliance.first?["priority"] as? Int == 1 && compliance.first?["due"] as? Int == 6 && compliance.first?["pending"] as? Int == 6)
            #expect(try await t.send(.GET, "/api/v1/statistics/performance?year=2026-27", token: token).status == .badRequest)

            let direct = try await StatisticsService.figures(year: "2026/27", app: t.app, db: t.app.db, now: t.clock.now)
            #expect(direct.map(\.newCases) == figures.map { $0["newCases"] as? Int ?? -1 })
            #expect(direct[2].compliance.first == .init(priority: 1, milestone: "response", due: 6, met: 0, breached: 0, pending: 6))
        }
    }
}

@Suite("Internal case reviews")
struct InternalReviewTests {
    @Test("SS-MON-2: last month's closed cases are sampled once, from a stored seed; each is reviewed by a team leader who did not work it")
    func monthlySample() async throws {
        try await TestApp.run(clock: TestClock(ISO8601DateFormatter().date(from: "2026-10-06T09:00:00Z")!)) { t in
            let (tokenA, leaderA) = try await t.staffToken(.teamLeader, username: "leader.a")
            let (_, leaderB) = try await t.staffToken(.teamLeader, username: "leader.b")
            for index in 0..<5 {
                let reference = try await t.submitReport(["occurredOn": "2026-10-01"]).string("reference")!
                _ = try await t.assess(reference, token: tokenA)
                _ = try await t.allocate(reference, to: index.isMultiple(of: 2) ? leaderA : leaderB, token: tokenA)
                _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-proposals", json: ["reason": "resolved", "explanation": "Stopped."], token: tokenA)
                _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-contacts", json: ["method": "phone", "outcome": "agreed"], token: tokenA)
                let closed = try await t.send(.POST, "/api/v1/cases/\(reference)/closure", token: tokenA)
                #expect(closed.status == .ok, "\(closed.text)")
            }
            t.clock.set(ISO8601DateFormatter().date(from: "2026-11-02T09:00:00Z")!)
            let service = InternalReviewService(app: t.app, db: t.app.db, requestID: nil)
            #expect(InternalReviewService.previousMonth(of: t.clock.now) == "2026-10")
            let sample = try await service.draw(month: "2026-10", by: .system)
            #expect(sample.closedCount == 5 && sample.percent == 10 && sample.minimum == 3)
            let again = try await service.draw(month: "2026-10", by: .system)
            #expect(again.id == sample.id)
            let reviews = try await InternalCaseReview.query(on: t.app.db).with(\.$asbCase).all()
            #expect(reviews.count == 3)
            for review in reviews {
                #expect(review.$reviewer.id != nil && review.$reviewer.id != review.asbCase.$allocatedOfficer.id)
            }
            // The stored seed redraws the same cases.
            let closed = try await ASBCase.query(on: t.app.db).filter(\.$status == .closed).sort(\.$referenceYear).sort(\.$referenceNumber).all()
            let redrawn = InternalReviewRules.draw(from: closed.compactMap(\.id), count: 3, seed: UInt64(sample.seed)!)
            #expect(Set(redrawn) == Set(reviews.map { $0.$asbCase.id }))

            // The reviewer answers the checklist on the web.
            let mine = try #require(reviews.first { $0.$reviewer.id == leaderA.id } ?? reviews.first)
            let reviewer = mine.$reviewer.id == leaderA.id ? leaderA : leaderB
            let web = WebClient(t.app)
            try await web.signIn(reviewer.username, password: "correct-horse-\(reviewer.username)")
            #expect(try await web.get("/staff/internal-reviews").contains(mine.asbCase.reference))
            let path = "/staff/internal-reviews/\(mine.id!.uuidString)"
            try await web.get(path)
            let incomplete = try await web.post(path, [("checklist.riskAssessment", "yes")])
            #expect(incomplete.status == .unprocessableEntity && incomplete.errorSummary.count == 6)
            var answers = InternalReviewRules.checklist.map { ("checklist.\($0.id)", "yes") }
            answers.append(("findings", "A well-run case; the plan was agreed by phone & <b>kept</b>."))
            #expect(try await web.post(path, answers).status == .seeOther)
            #expect(try await InternalCaseReview.find(mine.id, on: t.app.db)?.status == "done")
            // Done, the page lists the answers (escaped), and no longer the form.
            let done = try await web.get(path)
            #expect(done.contains("<dt class=\"summary-key\">\(Markup.escape(InternalReviewRules.checklist[0].question))</dt><dd class=\"summary-value\">Yes</dd>"))
            #expect(done.contains("agreed by phone &amp; &lt;b&gt;kept&lt;/b&gt;."))
            #expect(!done.contains("name=\"findings\""))
        }
    }
}

@Suite("Dissatisfaction reviews")
struct DissatisfactionReviewTests {
    @Test("SS-MON-3: a survey answered 2 opens a review; it closes only with findings and every improvement action done")
    func review() async throws {
        try await TestApp.run { t in
            let reference = try await t.submitReport().string("reference")!
            let (token, leader) = try await t.staffToken(.teamLeader)
            _ = try await t.assess(reference, token: token)
            _ = try await t.allocate(reference, to: leader, token: token)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-proposals", json: ["reason": "resolved", "explanation": "Stopped."], token: token)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-contacts", json: ["method": "phone", "outcome": "agreed"], token: token)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure", token: token)
            try await SurveyService(app: t.app, db: t.app.db, requestID: nil)
                .record(on: reference, channel: .phone, SurveyAnswers(overall: 2, comments: "Slow to call back"), by: .staff(leader))
            let review = try #require(try await DissatisfactionReview.query(on: t.app.db).first())
            #expect(review.status == "open")

            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            #expect(try await web.get("/staff/dissatisfaction").contains(reference))
            let path = "/staff/dissatisfaction/\(review.id!.uuidString)"
            try await web.get(path)
            let early = try await web.post(path + "/close", [])
            #expect(early.status == .conflict)
            let bad = try await web.post(path, [("findings", ""), ("actions.0.what", "Call back within two days")])
            #expect(bad.status == .unprocessableEntity && bad.errorSummary.count == 3)
            #expect(try await web.post(path, [("findings", "Contact plan not kept in week two."), ("actions.0.what", "Weekly contact check"),
                                              ("actions.0.ownerId", leader.id!.uuidString), ("actions.0.dueOn", "2026-12-11")]).status == .seeOther)
            try await web.get(path)
            #expect(try await web.post(path + "/close", []).status == .conflict)
            let action = try #require(try await DissatisfactionAction.query(on: t.app.db).first())
            #expect(try await web.post(path + "/actions/\(action.id!.uuidString)/done", []).status == .seeOther)
            try await web.get(path)
            #expect(try await web.post(path + "/close", []).status == .seeOther)
            #expect(try await DissatisfactionReview.find(review.id, on: t.app.db)?.status == "closed")
        }
    }
}
