@testable import ASBServer
import ASBCore
import Foundation
import Testing
import Vapor

/// One realistic case from report to enforcement, through the API only (the casework issue's
/// "done means"): report, assessment, allocation, parties, an agreed action plan, contacts, a
/// missed reporter action, a referral to environmental health made lead agency, a case review
/// meeting, and a civil injunction refused until the witness commitment is recorded.
@Suite("Scenario: a noise and harassment case from report to injunction")
struct ScenarioTests {
    @Test("SS-NXT-1..5, SS-PRG-1..5: the whole case, in order, on the timeline")
    func reportToInjunction() async throws {
        // Monday 23 November 2026, 09:00.
        let clock = TestClock(ISO8601DateFormatter().date(from: "2026-11-23T09:00:00Z")!)
        try await TestApp.run(clock: clock, configure: { $0.tokenLifetime = 90 * 86_400 }) { t in
            let leader = try await t.staffToken(.teamLeader, username: "scenario.lead")
            let officer = try await t.staffToken(.officer, username: "scenario.officer")

            // 1. The report, from the website, with the reporter's risk answers.
            let receipt = try await t.submitReport([
                "description": "Loud music and shouting from the flat below most nights; they bang on my door when I complain.",
                "categories": ["noise", "harassment"], "allegedPerpetrator": ["name": "Quentin Nonesuch", "address": "Flat 1, Example House"],
                "riskAnswers": ["frequency": "daily", "duration": "oneToSixMonths", "sleepImpact": "often", "fear": "sometimes"],
            ])
            #expect(receipt.status == .created)
            let reference = try #require(receipt.string("reference"))
            let code = try #require(receipt.string("accessCode"))
            func path(_ suffix: String = "") -> String { "/api/v1/cases/\(reference)\(suffix)" }

            // 2. Assessment and allocation: the case opens.
            let assessed = try await t.assess(reference, token: leader.token,
                                              answers: ["frequency": "daily", "duration": "oneToSixMonths", "sleepImpact": "often",
                                                        "fear": "sometimes", "healthImpact": "aLot"])
            #expect(assessed.json["priority"] as? Int == 2)
            let allocated = try await t.allocate(reference, to: officer.user, token: leader.token)
            #expect(allocated.json["status"] as? String == "open")

            // 3. Parties: a neighbour who saw it agrees to be a witness.
            let witness = try await t.send(.POST, path("/parties"), json: ["role": "witness", "party": ["name": "Morgan Sample", "phone": "01632 960 555"]],
                                           token: officer.token)
            #expect(witness.status == .created)
            let parties = witness.json["parties"] as? [[String: Any]] ?? []
            func partyID(_ role: String) throws -> String {
                try #require((parties.first { $0["role"] as? String == role }?["party"] as? [String: Any])?["id"] as? String)
            }
            let reporterID = try partyID("reporter")
            let perpetratorID = try partyID("allegedPerpetrator")

            // 4. The first call to the reporter acknowledges the report; the plan is agreed on it.
            clock.advance(by: 2 * 3600)
            _ = try await t.send(.POST, path("/contacts"), json: ["partyId": reporterID, "method": "phone", "direction": "outbound",
                                                                 "summary": "Introduced myself; agreed a plan and weekly calls."], token: officer.token)
            _ = try await t.send(.PUT, path("/contact-plans/\(reporterID)"), json: ["frequency": "weekly", "method": "phone"], token: officer.token)
            let eho = try await t.agencyID("Environmental Health (noise)")
            let plan = try await t.send(.PUT, path("/action-plan"), json: [
                "howAgreed": "phone",
                "actions": [
                    ["what": "Keep a noise diary for two weeks", "owner": "reporter", "dueOn": "2026-12-07"],
                    ["what": "Write to the household complained about", "owner": "landlord", "ownerUserId": officer.user.id!.uuidString,
                     "dueOn": "2026-11-25"],
                    ["what": "Assess for statutory noise nuisance", "owner": "partnerAgency", "ownerAgencyId": eho, "dueOn": "2026-12-04"],
                ],
            ], token: officer.token)
            #expect(plan.status == .ok)

            // 5. A letter to the person complained about starts the investigation (SS-NXT-4).
            clock.advance(by: 86_400)
            _ = try await t.send(.POST, path("/contacts"), json: ["partyId": perpetratorID, "method": "letter", "direction": "outbound",
                                                                 "summary": "Letter about the reports of noise."], token: officer.token)

            // 6. Referral to environmental health, which becomes the lead agency.
            let referral = try await t.send(.POST, path("/referrals"), json: [
                "agencyId": eho, "reason": "Night-time amplified music: statutory nuisance", "consentGiven": true,
                "sharedFields": ["caseSummary", "incidents", "reporterContact"],
            ], token: officer.token)
            #expect(referral.status == .created)
            _ = try await t.send(.PUT, path("/lead-agency"), json: ["agencyId": eho, "reason": "Noise abatement powers lie with the council"],
                                 token: officer.token)

            // 7. Two weeks on, the diary has not come in: one missed reporter action.
            clock.advance(by: 15 * 86_400)
            let missed = try await t.send(.GET, path("/action-plan"), token: officer.token)
            #expect((missed.json["adherence"] as? [String: Any])?["reporterActionsMissed"] as? Int == 1)

            // 8. A case review meeting decides on a joint visit and legal action.
            let meeting = try await t.send(.POST, path("/reviews"), json: ["scheduledFor": "2026-12-09", "attendees": ["ASB officer", "Team leader"]],
                                           token: officer.token)
            let meetingID = try #require(((try? JSONSerialization.jsonObject(with: meeting.body)) as? [[String: Any]])?.first?["id"] as? String)
            let held = try await t.send(.PUT, path("/reviews/\(meetingID)"), json: [
                "attendees": ["ASB officer", "Team leader", "EHO"], "agencyIds": [eho],
                "summary": "Noise continues; abatement notice served by the council.", "decisions": "Seek a civil injunction.",
                "actions": [["what": "Prepare the injunction application", "owner": "landlord", "dueOn": "2026-12-18"]],
            ], token: officer.token)
            #expect(held.status == .ok, "\(held.text)")

            // 9. The injunction is refused until the reporter commits to a witness statement (SS-PRG-5).
            let refused = try await t.send(.POST, path("/enforcement"), json: ["type": "civilInjunction", "againstPartyId": perpetratorID],
                                           token: officer.token)
            #expect(refused.status == .conflict)
            #expect(refused.json["clause"] as? String == "SS-PRG-5")
            _ = try await t.send(.POST, path("/witness-evidence"), json: [
                "kind": "reporterCommitment", "partyId": reporterID, "confirmedOn": "2026-12-09",
                "howConfirmed": "Confirmed by phone; will sign a statement and attend court.",
            ], token: officer.token)
            let accepted = try await t.send(.POST, path("/enforcement"), json: ["type": "civilInjunction", "againstPartyId": perpetratorID],
                                            token: officer.token)
            #expect(accepted.status == .created)
            #expect((accepted.json["warnings"] as? [String])?.isEmpty == true, "The person complained about was contacted")

            // The timeline tells the story in order.
            let timeline = try await t.send(.GET, path("/timeline?limit=100"), token: leader.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            let story = ["reported", "assessed", "priorityChanged", "allocated", "statusChanged", "partyAdded", "contactLogged",
                         "milestoneMet", "contactPlanAgreed", "actionPlanAgreed", "contactLogged", "milestoneMet", "referred",
                         "leadAgencyChanged", "reviewScheduled", "reviewHeld", "witnessEvidenceRecorded", "enforcementRecorded"]
            var remaining = kinds[...]
            for step in story {
                guard let index = remaining.firstIndex(of: step) else {
                    Issue.record("The timeline lacks \(step) after the steps before it: \(kinds)")
                    break
                }
                remaining = remaining[(index + 1)...]
            }

            // And the reporter, tracking the case, sees it is open, who the officer is, when contact is due, and their action.
            let tracked = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code])
            #expect(tracked.json["status"] as? String == "open")
            #expect(tracked.json["allocatedOfficer"] as? String == officer.user.displayName)
            #expect(tracked.json["nextContactOn"] != nil)
            #expect((tracked.json["reporterActions"] as? [[String: Any]])?.first?["what"] as? String == "Keep a noise diary for two weeks")
            #expect(!tracked.text.contains("Quentin"))
        }
    }
}
