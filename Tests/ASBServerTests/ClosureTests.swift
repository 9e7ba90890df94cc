@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

private func longTokens(_ config: inout AppConfig) { config.tokenLifetime = 120 * 86_400 }

@Suite("Closing cases (SS-CLS-1, SS-CLS-2)")
struct ClosureTests {
    /// A reported, assessed and allocated case; returns its reference and code, and the officer.
    func openCase(_ t: TestApp, overrides: [String: Any] = [:]) async throws -> (reference: String, code: String?, officer: (token: String, user: User), leader: String) {
        let receipt = try await t.submitReport(overrides)
        let reference = try #require(receipt.string("reference"))
        let leader = try await t.staffToken(.teamLeader)
        let officer = try await t.staffToken(.officer)
        try await t.assess(reference, token: leader.token)
        try await t.allocate(reference, to: officer.user, token: leader.token)
        return (reference, receipt.string("accessCode"), officer, leader.token)
    }

    /// Posts one closure step as the case's officer and expects it to succeed, so a broken
    /// setup step fails where it happens rather than at a later assertion.
    @discardableResult
    func step(_ t: TestApp, _ reference: String, _ path: String, _ body: [String: Any]? = nil, token: String,
              sourceLocation: SourceLocation = #_sourceLocation) async throws -> TestApp.Reply {
        let reply = try await t.send(.POST, "/api/v1/cases/\(reference)/\(path)", json: body, token: token)
        #expect((200..<300).contains(reply.status.code), "\(path): \(reply.text)", sourceLocation: sourceLocation)
        return reply
    }

    @Test("SS-CLS-1: each reason's conditions are checked: 422 for missing details, 409 naming the rule")
    func proposals() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let c = try await openCase(t)
            func propose(_ body: [String: Any]) async throws -> TestApp.Reply {
                try await t.send(.POST, "/api/v1/cases/\(c.reference)/closure-proposals", json: body, token: c.officer.token)
            }
            #expect(try await propose(["reason": "bored"]).fieldErrors == ["reason"])
            #expect(Set(try await propose(["reason": "withdrawn"]).fieldErrors) == ["withdrawalHow", "withdrawalOn"])
            #expect(try await propose(["reason": "actionsExhausted"]).fieldErrors == ["explanation"])
            let tooSoon = try await propose(["reason": "noNewReports"])
            #expect(tooSoon.status == .conflict && tooSoon.json["clause"] as? String == "SS-CLS-1")
            let adhered = try await propose(["reason": "actionPlanNotAdheredTo", "explanation": "Diary not kept."])
            #expect(adhered.status == .conflict && adhered.json["code"] as? String == "closure.planWasAdheredTo")
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).status == .open, "Refusals change nothing")

            let proposed = try await propose(["reason": "resolved"])
            #expect(proposed.status == .created, "\(proposed.text)")
            #expect(proposed.json["status"] as? String == "closurePending")
            #expect(try await propose(["reason": "resolved"]).status == .conflict, "One proposal at a time")
        }
    }

    @Test("SS-CLS-2: formal closure needs the visit or call to agree it; then a survey is due")
    func agreementCall() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let c = try await openCase(t)
            let base = "/api/v1/cases/\(c.reference)"
            try await step(t, c.reference, "closure-proposals", ["reason": "resolved"], token: c.officer.token)
            let refused = try await t.send(.POST, "\(base)/closure", token: c.officer.token)
            #expect(refused.status == .conflict)
            #expect(refused.json["clause"] as? String == "SS-CLS-2")
            try await step(t, c.reference, "closure-contacts", ["method": "letter", "outcome": "sent"], token: c.officer.token)
            #expect(try await t.send(.POST, "\(base)/closure", token: c.officer.token).status == .conflict, "A letter alone is not agreement")
            let bad = try await t.send(.POST, "\(base)/closure-contacts", json: ["method": "phone", "outcome": "disagreed"], token: c.officer.token)
            #expect(bad.fieldErrors == ["reasons"])
            t.clock.advance(by: 3600)
            try await step(t, c.reference, "closure-contacts", ["method": "phone", "outcome": "agreed"], token: c.officer.token)
            let closed = try await t.send(.POST, "\(base)/closure", token: c.officer.token)
            #expect(closed.status == .ok, "\(closed.text)")
            #expect(closed.json["status"] as? String == "closed")
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.closureReason == .resolved && stored.closedAt != nil)
            #expect(try await SatisfactionSurvey.query(on: t.app.db).count() == 1)
        }
    }

    @Test("SS-CLS-2: a reporter who cannot be reached: two attempts on different days and a letter")
    func unreachable() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let c = try await openCase(t)
            let base = "/api/v1/cases/\(c.reference)"
            try await step(t, c.reference, "closure-proposals", ["reason": "resolved"], token: c.officer.token)
            t.clock.advance(by: 3600)
            try await step(t, c.reference, "closure-contacts", ["method": "phone", "outcome": "noAnswer"], token: c.officer.token)
            try await step(t, c.reference, "closure-contacts", ["method": "visit", "outcome": "noAnswer"], token: c.officer.token)
            try await step(t, c.reference, "closure-contacts", ["method": "letter", "outcome": "sent"], token: c.officer.token)
            #expect(try await t.send(.POST, "\(base)/closure", token: c.officer.token).status == .conflict, "Both attempts on one day")
            t.clock.advance(by: 86_400)
            try await step(t, c.reference, "closure-contacts", ["method": "phone", "outcome": "noAnswer"], token: c.officer.token)
            #expect(try await t.send(.POST, "\(base)/closure", token: c.officer.token).status == .ok)
        }
    }

    @Test("SS-CLS-1: actions exhausted needs a team leader's approval, who sees the reporter's disagreement")
    func approval() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let c = try await openCase(t)
            let base = "/api/v1/cases/\(c.reference)"
            try await step(t, c.reference, "closure-proposals", ["reason": "actionsExhausted", "explanation": "Mediation was refused and there is no evidence for legal action."], token: c.officer.token)
            t.clock.advance(by: 3600)
            try await step(t, c.reference, "closure-contacts", ["method": "visit", "outcome": "disagreed", "reasons": "The noise still happens at weekends."], token: c.officer.token)
            let needsApproval = try await t.send(.POST, "\(base)/closure", token: c.officer.token)
            #expect(needsApproval.status == .conflict && needsApproval.json["code"] as? String == "closure.needsApproval")
            let seen = try await t.send(.GET, "\(base)/closure", token: c.leader)
            #expect((seen.json["current"] as? [String: Any])?["reporterDisagreed"] as? Bool == true)
            #expect(try await t.send(.POST, "\(base)/closure-approval", token: c.officer.token).status == .forbidden)
            #expect(try await t.send(.POST, "\(base)/closure-approval", token: c.leader).status == .created)
            #expect(try await t.send(.POST, "\(base)/closure", token: c.officer.token).status == .ok)
        }
    }

    @Test("Anonymous reports close without contact; a new incident cancels a pending proposal")
    func anonymousAndCancel() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let anonymous = try await openCase(t, overrides: ["anonymous": true, "reporter": NSNull()])
            try await step(t, anonymous.reference, "closure-proposals", ["reason": "resolved"], token: anonymous.officer.token)
            #expect(try await t.send(.POST, "/api/v1/cases/\(anonymous.reference)/closure", token: anonymous.officer.token).status == .ok)

            let c = try await openCase(t)
            try await step(t, c.reference, "closure-proposals", ["reason": "resolved"], token: c.officer.token)
            let code = try #require(c.code)
            _ = try await t.send(.POST, "/api/v1/track/incidents", json: ["reference": c.reference, "accessCode": code,
                                                                          "description": "It started again last night."])
            let view = try await t.send(.GET, "/api/v1/cases/\(c.reference)/closure", token: c.officer.token)
            #expect(view.json["status"] as? String == "open")
            #expect(view.json["current"] == nil)
            #expect((view.json["history"] as? [[String: Any]])?.first?["status"] as? String == "cancelled")
        }
    }

    @Test("SS-RT-2: a closed case's missed deadlines leave the overdue queue (through the milestones' copy of the closure), and come back when it is reopened")
    func overdueQueueAndClosure() async throws {
        try await TestApp.run(configure: longTokens) { t in
            // Anonymous: nobody to contact, so the response deadline is never met.
            let c = try await openCase(t, overrides: ["anonymous": true, "reporter": NSNull()])
            func overdue() async throws -> [String] {
                let reply = try await t.send(.GET, "/api/v1/queues/overdue", token: c.leader)
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
            }
            func copies() async throws -> [Date?] {
                try await CaseMilestone.query(on: t.app.db).join(ASBCase.self, on: \CaseMilestone.$asbCase.$id == \ASBCase.$id)
                    .filter(ASBCase.self, \.$reference == c.reference).all().map(\.caseClosedAt)
            }
            t.clock.advance(by: 20 * 86_400)
            #expect(try await overdue().contains(c.reference))
            try await step(t, c.reference, "closure-proposals", ["reason": "resolved"], token: c.officer.token)
            try await step(t, c.reference, "closure", token: c.officer.token)
            let closedAt = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == c.reference).first()?.closedAt)
            let closedCopies = try await copies()
            #expect(!closedCopies.isEmpty && closedCopies.allSatisfy { $0 == closedAt })
            #expect(try await !overdue().contains(c.reference))
            #expect(try await t.send(.POST, "/api/v1/cases/\(c.reference)/reopening", json: ["reason": "Closed too early"], token: c.leader).status == .created)
            #expect(try await copies().allSatisfy { $0 == nil })
            #expect(try await overdue().contains(c.reference))
        }
    }

    @Test("A report after closure opens a new case linked to the closed one; a team leader may reopen a premature closure")
    func afterClosure() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let c = try await openCase(t)
            let base = "/api/v1/cases/\(c.reference)"
            try await step(t, c.reference, "closure-proposals", ["reason": "resolved"], token: c.officer.token)
            t.clock.advance(by: 3600)
            try await step(t, c.reference, "closure-contacts", ["method": "phone", "outcome": "agreed"], token: c.officer.token)
            try await step(t, c.reference, "closure", token: c.officer.token)

            let code = try #require(c.code)
            let again = try await t.send(.POST, "/api/v1/track/incidents", json: ["reference": c.reference, "accessCode": code,
                                                                                  "description": "The music is back."])
            #expect(again.status == .created, "\(again.text)")
            let newReference = try #require(again.string("reference"))
            #expect(newReference != c.reference)
            #expect(again.string("accessCode") != nil, "The new case has its own code")
            let newCase = try await t.send(.GET, "/api/v1/cases/\(newReference)", token: c.leader)
            #expect(newCase.json["followUpOf"] as? String == c.reference)
            #expect((newCase.json["parties"] as? [[String: Any]])?.contains { $0["role"] as? String == "reporter" } == true)
            let oldCase = try await t.send(.GET, base, token: c.leader)
            #expect(oldCase.json["followUps"] as? [String] == [newReference], "Shown on both cases")
            let oldTimeline = try await t.send(.GET, "\(base)/timeline", token: c.leader)
            #expect((oldTimeline.json["items"] as? [[String: Any]] ?? []).contains {
                $0["kind"] as? String == "followUpOpened" && ($0["summary"] as? String)?.hasSuffix("opened \(newReference)") == true
            }, "The closed case's timeline names the new case")

            #expect(try await t.send(.POST, "\(base)/reopening", json: ["reason": "Closed too early"], token: c.officer.token).status == .forbidden)
            #expect(try await t.send(.POST, "\(base)/reopening", json: ["reason": " "], token: c.leader).status == .conflict)
            let reopened = try await t.send(.POST, "\(base)/reopening", json: ["reason": "Closed before the agreed review"], token: c.leader)
            #expect(reopened.status == .created)
            #expect(reopened.json["status"] as? String == "open")
        }
    }

    @Test("SS-CLS-1: a closed case refuses the casework that decides its handling (409 naming the rule, nothing stored) until it is reopened; a contact is still logged")
    func closedCaseTakesNoCasework() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let c = try await openCase(t)
            let base = "/api/v1/cases/\(c.reference)"
            let reporter = try await t.partyID("reporter", on: c.reference, token: c.leader)
            let police = try await t.agencyID("Police")
            let other = try await t.staffToken(.officer)
            try await step(t, c.reference, "closure-proposals", ["reason": "resolved"], token: c.officer.token)
            try await step(t, c.reference, "closure-contacts", ["method": "phone", "outcome": "agreed"], token: c.officer.token)
            try await step(t, c.reference, "closure", token: c.officer.token)

            let someID = UUID().uuidString
            let refused: [(Casework, HTTPMethod, String, [String: Any])] = [
                (.assessRisk, .POST, "assessments", ["answers": [String: String]()]),
                (.addPerson, .POST, "parties", ["role": "witness", "partyId": reporter]),
                (.agreeActionPlan, .PUT, "action-plan", ["howAgreed": "phone", "actions": [["what": "Keep a diary", "owner": "reporter"]]]),
                (.updateAction, .PATCH, "action-plan/actions/\(someID)", ["status": "done"]),
                (.agreeContactPlan, .PUT, "contact-plans/\(reporter)", ["frequency": "weekly", "method": "phone"]),
                (.referToPartner, .POST, "referrals", ["agencyId": police, "reason": "Outreach", "consentGiven": true, "sharedFields": ["caseSummary"]]),
                (.decideLeadAgency, .PUT, "lead-agency", ["agencyId": police, "reason": "Criminal behaviour"]),
                (.scheduleReview, .POST, "reviews", ["scheduledFor": "2026-12-01", "attendees": ["ASB officer"]]),
                (.recordWitnessEvidence, .POST, "witness-evidence", ["kind": "reporterCommitment", "partyId": reporter,
                                                                      "confirmedOn": "2026-11-24", "howConfirmed": "In person"]),
                (.approveWitnessEvidence, .POST, "witness-evidence/\(someID)/approval", [:]),
                (.recordEnforcement, .POST, "enforcement", ["type": "writtenWarning"]),
                (.updateEnforcement, .PATCH, "enforcement/\(someID)", ["status": "completed", "outcome": "Done"]),
            ]
            #expect(Set(refused.map(\.0)) == Set(Casework.allCases.filter { ![.allocate, .classify].contains($0) }),
                    "every casework but allocation and classification (changes to the case itself, below) is tried")
            let before = try await t.app.db.sql.raw("SELECT (SELECT COUNT(*) FROM case_events) AS events, (SELECT COUNT(*) FROM audit_events) AS audits").first()
            let version = try await t.version(of: c.reference)
            for (work, method, path, body) in refused {
                let reply = try await t.send(method, "\(base)/\(path)", json: body, token: c.leader)
                #expect(reply.status == .conflict, "\(work): \(reply.text)")
                #expect(reply.json["code"] as? String == "case.closedTakesNoCasework", "\(work)")
                #expect(reply.json["clause"] as? String == "SS-CLS-1")
                #expect((reply.json["detail"] as? String)?.contains(work.phrase) == true, "\(work): \(reply.text)")
            }
            let allocation = try await t.send(.PATCH, base, json: ["allocatedOfficerId": other.user.id!.uuidString], token: c.leader,
                                              headers: [("If-Match", version)])
            #expect(allocation.status == .conflict && allocation.json["code"] as? String == "case.closedTakesNoCasework", "\(allocation.text)")
            let after = try await t.app.db.sql.raw("SELECT (SELECT COUNT(*) FROM case_events) AS events, (SELECT COUNT(*) FROM audit_events) AS audits").first()
            #expect(try before?.decode(column: "events", as: Int.self) == after?.decode(column: "events", as: Int.self), "no case event written")
            #expect(try before?.decode(column: "audits", as: Int.self) == after?.decode(column: "audits", as: Int.self), "no change audited")
            #expect(try await t.version(of: c.reference) == version)
            // What it is about, where and whether it is ASB: the published figures count the closed case by these.
            let admin = try await t.staffToken(.admin)
            let area = try #require(try await t.send(.POST, "/api/v1/neighbourhoods", json: ["name": "Closed Ward"], token: admin.token).string("id"))
            let closed = try await t.send(.GET, base, token: c.leader).json
            let otherCategory = try #require(IncidentCategory.allCases.map(\.rawValue).first { !((closed["categories"] as? [String]) ?? []).contains($0) })
            let otherLimb = try #require(ASBLimb.allCases.map(\.rawValue).first { !((closed["asbLimbs"] as? [String]) ?? []).contains($0) })
            for change: [String: Any] in [["categories": [otherCategory]], ["neighbourhoodId": area], ["asbLimbs": [otherLimb]],
                                          ["notASB": !(closed["notASB"] as? Bool ?? false)]] {
                let reply = try await t.send(.PATCH, base, json: change, token: c.leader, headers: [("If-Match", version)])
                #expect(reply.status == .conflict && reply.json["code"] as? String == "case.closedTakesNoCasework", "\(change): \(reply.text)")
                #expect((reply.json["detail"] as? String)?.contains(Casework.classify.phrase) == true, "\(reply.text)")
            }
            // Naming what it already is changes nothing and is answered as before.
            let same = try await t.send(.PATCH, base, json: ["categories": closed["categories"] ?? [], "notASB": closed["notASB"] ?? false],
                                        token: c.leader, headers: [("If-Match", version)])
            #expect(same.status == .ok, "\(same.text)")
            #expect(try await t.version(of: c.reference) == version)
            let stored = try await t.send(.GET, base, token: c.leader).json
            func areaID(_ json: [String: Any]) -> String? { (json["neighbourhood"] as? [String: Any])?["id"] as? String }
            #expect(stored["categories"] as? [String] == closed["categories"] as? [String] && areaID(stored) == areaID(closed) && areaID(stored) != area
                    && stored["asbLimbs"] as? [String] == closed["asbLimbs"] as? [String] && stored["notASB"] as? Bool == closed["notASB"] as? Bool)
            #expect(try await t.send(.GET, "\(base)/action-plan", token: c.leader).json["current"] as? [String: Any] == nil)

            // Still taken on a closed case: a logged contact.
            let logged = try await t.send(.POST, "\(base)/contacts", json: [
                "partyId": reporter, "method": "phone", "direction": "outbound", "summary": "Called after closure to check all is quiet.",
            ], token: c.leader)
            #expect(logged.status == .created, "\(logged.text)")
            // Reopened with a reason, the casework is taken again.
            try await step(t, c.reference, "reopening", ["reason": "The noise started again"], token: c.leader)
            let reassessed = try await t.assess(c.reference, token: c.leader)
            #expect(reassessed.status == .created, "\(reassessed.text)")
            #expect(try await t.send(.PUT, "\(base)/contact-plans/\(reporter)", json: ["frequency": "weekly", "method": "phone"],
                                     token: c.leader).status == .ok)
        }
    }

    @Test("The 60-day rule: quiet cases are queued and the daily job proposes each once, even run twice or on two instances or stopped")
    func sixtyDayRule() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let quiet = try await openCase(t)
            let busy = try await openCase(t)
            t.clock.advance(by: 59 * 86_400)
            try await step(t, busy.reference, "incidents", ["channel": "phone", "description": "Again."], token: busy.officer.token)
            let service = ClosureService(app: t.app, db: t.app.db, requestID: nil)
            #expect(try await service.proposeDueClosures() == 0, "59 days is not yet 60")
            t.clock.advance(by: 86_400)
            let queue = try await t.send(.GET, "/api/v1/queues/closureReviewDue", token: quiet.leader)
            #expect((queue.json["items"] as? [[String: Any]])?.compactMap { $0["reference"] as? String } == [quiet.reference])

            // A server stopping cancels the job: it proposes nothing more, and the next run goes on.
            let stopped = Task { try await service.proposeDueClosures() }
            stopped.cancel()
            #expect(try await stopped.value == 0)
            #expect(try await ClosureProposal.query(on: t.app.db).count() == 0)

            async let first = service.proposeDueClosures()
            async let second = ClosureService(app: t.app, db: t.app.db, requestID: nil).proposeDueClosures()
            #expect(try await first + second == 1)
            #expect(try await service.proposeDueClosures() == 0)
            #expect(try await ClosureProposal.query(on: t.app.db).count() == 1)
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == quiet.reference).first())
            #expect(stored.status == .closurePending, "Proposed, never closed by the job")
        }
    }
}
