@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("The action plan (SS-NXT-2)")
struct ActionPlanTests {
    @Test("SS-NXT-2: a plan agreed with joint responsibilities; the reporter's missed actions are counted")
    func agreeAndAdherence() async throws {
        try await TestApp.run(configure: { $0.tokenLifetime = 60 * 86_400 }) { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            let eho = try await t.agencyID("Environmental Health (noise)")
            let plan = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: [
                "howAgreed": "visit", "notes": "Agreed at a home visit.",
                "actions": [
                    ["what": "Keep a noise diary for two weeks", "owner": "reporter", "dueOn": "2026-12-08"],
                    ["what": "Report further incidents to the police on 101", "owner": "reporter"],
                    ["what": "Write to the household complained about", "owner": "landlord", "ownerUserId": officer.user.id!.uuidString,
                     "dueOn": "2026-11-27"],
                    ["what": "Install noise monitoring equipment", "owner": "partnerAgency", "ownerAgencyId": eho, "dueOn": "2026-12-04"],
                ],
            ], token: leader.token)
            #expect(plan.status == .ok, "\(plan.text)")
            let current = try #require(plan.json["current"] as? [String: Any])
            #expect(current["revision"] as? Int == 1)
            let actions = try #require(current["actions"] as? [[String: Any]])
            #expect(actions.map { $0["owner"] as? String } == ["reporter", "reporter", "landlord", "partnerAgency"])
            #expect((plan.json["adherence"] as? [String: Any])?["reporterActions"] as? Int == 2)
            #expect((plan.json["adherence"] as? [String: Any])?["adhered"] as? Bool == true)

            // Past the diary's due date without it: one missed reporter action.
            t.clock.advance(by: 15 * 86_400)
            let later = try await t.send(.GET, "/api/v1/cases/\(reference)/action-plan", token: leader.token)
            let adherence = try #require(later.json["adherence"] as? [String: Any])
            #expect(adherence["reporterActionsMissed"] as? Int == 1)
            #expect(adherence["adhered"] as? Bool == false)
            let missed = ((later.json["current"] as? [String: Any])?["actions"] as? [[String: Any]] ?? []).compactMap { $0["missed"] as? Bool }
            #expect(missed == [true, false, false, false])

            // The reporter sees their own actions when tracking the case.
            let diaryID = try #require(actions.first?["id"] as? String)
            let done = try await t.send(.PATCH, "/api/v1/cases/\(reference)/action-plan/actions/\(diaryID)",
                                        json: ["status": "done", "note": "Diary handed in at the office."], token: leader.token)
            #expect(done.status == .ok, "\(done.text)")
            let afterDone = try #require(done.json["adherence"] as? [String: Any])
            #expect(afterDone["reporterActionsMissed"] as? Int == 1, "Done late still counts as missed")
            let again = try await t.send(.PATCH, "/api/v1/cases/\(reference)/action-plan/actions/\(diaryID)",
                                         json: ["status": "open"], token: leader.token)
            #expect(again.status == .conflict)
            #expect(again.json["code"] as? String == "action.transitionNotAllowed")
        }
    }

    @Test("SS-NXT-2: a revised plan replaces the current one and keeps the earlier revisions")
    func revisions() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            for what in ["First agreement", "Second agreement"] {
                let reply = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: [
                    "howAgreed": "phone", "actions": [["what": what, "owner": "reporter"]],
                ], token: leader.token)
                #expect(reply.status == .ok)
            }
            let view = try await t.send(.GET, "/api/v1/cases/\(reference)/action-plan", token: leader.token)
            #expect((view.json["current"] as? [String: Any])?["revision"] as? Int == 2)
            let revisions = view.json["revisions"] as? [[String: Any]] ?? []
            #expect(revisions.compactMap { $0["revision"] as? Int } == [2, 1])
            let timeline = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: leader.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "actionPlanAgreed" }.count == 2)
        }
    }

    @Test("A plan is validated action by action, and a partner reads it only when shared")
    func validationAndSharing() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let bad = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: [
                "howAgreed": "phone", "agreedOn": "2030-01-01",
                "actions": [
                    ["what": " ", "owner": "reporter"],
                    ["what": "Someone else", "owner": "otherParty", "ownerPartyId": UUID().uuidString],
                    ["what": "An agency", "owner": "partnerAgency"],
                    ["what": "Bad date", "owner": "landlord", "dueOn": "soon"],
                ],
            ], token: leader.token)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.fieldErrors).isSuperset(of: ["agreedOn", "actions.0.what", "actions.1.ownerPartyId",
                                                         "actions.2.ownerAgencyId"]))
            #expect(try await ActionPlan.query(on: t.app.db).count() == 0)
            let none = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: ["howAgreed": "phone", "actions": [Any]()],
                                        token: leader.token)
            #expect(none.fieldErrors == ["actions"])

            _ = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: [
                "howAgreed": "phone", "actions": [["what": "Keep a diary", "owner": "reporter"]],
            ], token: leader.token)
            let police = try await t.staffToken(.partner, username: "police.plan", agency: "Police")
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Police"), "reason": "Drugs", "consentGiven": true, "sharedFields": ["caseSummary"],
            ], token: leader.token)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/action-plan", token: police.token).status == .forbidden)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Police"), "reason": "Joint plan", "consentGiven": true,
                "sharedFields": ["caseSummary", "actionPlan"],
            ], token: leader.token)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/action-plan", token: police.token).status == .ok)
        }
    }
}
