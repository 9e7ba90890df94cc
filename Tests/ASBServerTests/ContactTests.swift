@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

private func longTokens(_ config: inout AppConfig) { config.tokenLifetime = 60 * 86_400 }

@Suite("Contact plans and the contact log (SS-NXT-5, SS-PRG-2)")
struct ContactTests {
    @Test("SS-NXT-5: a weekly plan with the reporter is due 7 days after agreement, then 7 days after each contact")
    func weeklyPlan() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let reporter = try await t.partyID("reporter", on: reference, token: leader.token)
            let agreed = try await t.send(.PUT, "/api/v1/cases/\(reference)/contact-plans/\(reporter)",
                                          json: ["frequency": "weekly", "method": "phone"], token: leader.token)
            #expect(agreed.status == .ok, "\(agreed.text)")
            let plan = try #require((agreed.json["plans"] as? [[String: Any]])?.first)
            #expect(plan["nextContactDue"] as? String == "2026-12-01")
            #expect(plan["state"] as? String == "notYetDue")

            t.clock.advance(by: 2 * 86_400)
            let logged = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "partyId": reporter, "method": "phone", "direction": "outbound", "summary": "Called to agree the action plan.",
            ], token: leader.token)
            #expect(logged.status == .created, "\(logged.text)")
            let after = try #require((logged.json["plans"] as? [[String: Any]])?.first)
            #expect(after["nextContactDue"] as? String == "2026-12-03")

            // The call was the first response to the reporter (SS-RT-4 for this P3 case): met, on time.
            let detail = try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token)
            let response = (detail.json["deadlines"] as? [[String: Any]] ?? []).first { $0["milestone"] as? String == "response" }
            #expect(response?["state"] as? String == "met")

            let revised = try await t.send(.PUT, "/api/v1/cases/\(reference)/contact-plans/\(reporter)",
                                           json: ["frequency": "everyDays", "everyDays": 10, "method": "visit"], token: leader.token)
            #expect((revised.json["plans"] as? [Any])?.count == 1, "One current plan per person")
            #expect(try await ContactPlan.query(on: t.app.db).count() == 2, "The earlier agreement is kept")
            #expect(((revised.json["plans"] as? [[String: Any]])?.first?["frequency"] as? String) == "every 10 days")
        }
    }

    @Test("SS-NXT-5: the contactDue queue lists cases whose agreed contact with the reporter is due; officers see their own")
    func contactDueQueue() async throws {
        try await TestApp.run(configure: longTokens) { t in
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            let mine = try #require(try await t.submitReport().string("reference"))
            let other = try #require(try await t.submitReport().string("reference"))
            try await t.allocate(mine, to: officer.user, token: leader.token)
            for reference in [mine, other] {
                let reporter = try await t.partyID("reporter", on: reference, token: leader.token)
                _ = try await t.send(.PUT, "/api/v1/cases/\(reference)/contact-plans/\(reporter)",
                                     json: ["frequency": "weekly", "method": "phone"], token: leader.token)
            }
            func queue(_ token: String) async throws -> [String] {
                let reply = try await t.send(.GET, "/api/v1/queues/contactDue", token: token)
                #expect(reply.status == .ok, "\(reply.text)")
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
            }
            #expect(try await queue(leader.token) == [])
            t.clock.advance(by: 7 * 86_400)
            #expect(Set(try await queue(leader.token)) == [mine, other])
            #expect(try await queue(officer.token) == [mine])
            let reporter = try await t.partyID("reporter", on: mine, token: leader.token)
            _ = try await t.send(.POST, "/api/v1/cases/\(mine)/contacts", json: [
                "partyId": reporter, "method": "visit", "direction": "outbound", "summary": "Home visit.",
            ], token: officer.token)
            #expect(try await queue(leader.token) == [other])
        }
    }

    @Test("SS-NXT-4, SS-RT-3: contacting the alleged perpetrator starts the investigation")
    func investigationStarts() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport(["allegedPerpetrator": ["name": "Casey Madeup", "address": "9 Example Road"]])
                .string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            try await t.assess(reference, token: leader.token,
                               answers: ["frequency": "daily", "duration": "overSixMonths", "sleepImpact": "often", "healthImpact": "aLot"])
            let perpetrator = try await t.partyID("allegedPerpetrator", on: reference, token: leader.token)
            t.clock.advance(by: 3600)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "partyId": perpetrator, "method": "letter", "direction": "outbound", "summary": "Letter about the reports of noise.",
            ], token: leader.token)
            let milestones = try await CaseMilestone.query(on: t.app.db).all()
            #expect(milestones.first { $0.milestone == .investigationStart }?.metAt == t.clock.now)
            #expect(milestones.first { $0.milestone == .acknowledgement }?.metAt == nil, "A letter to the perpetrator acknowledges nothing")
        }
    }

    @Test("SS-PRG-2: restricted entries never reach a partner; the log is shared only when a referral shares it")
    func restricted() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let reporter = try await t.partyID("reporter", on: reference, token: leader.token)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "partyId": reporter, "method": "phone", "direction": "outbound", "summary": "Open note OPEN-1.",
            ], token: leader.token)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "method": "meeting", "direction": "inbound", "summary": "Police intelligence SECRET-2.", "restricted": true,
            ], token: leader.token)
            let eho = try await t.staffToken(.partner, username: "eho.contacts", agency: "Environmental Health (noise)")
            let agency = try await t.agencyID("Environmental Health (noise)")
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": agency, "reason": "Noise", "consentGiven": true, "sharedFields": ["caseSummary"],
            ], token: leader.token)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/contacts", token: eho.token).status == .forbidden)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": agency, "reason": "Contact history", "consentGiven": true, "sharedFields": ["caseSummary", "contactLog"],
            ], token: leader.token)
            let shared = try await t.send(.GET, "/api/v1/cases/\(reference)/contacts", token: eho.token)
            #expect(shared.status == .ok)
            #expect(shared.text.contains("OPEN-1") && !shared.text.contains("SECRET-2"))
            let staff = try await t.send(.GET, "/api/v1/cases/\(reference)/contacts", token: leader.token)
            #expect(staff.text.contains("SECRET-2"))
        }
    }

    @Test("Bad contact input is refused clearly and stores nothing")
    func badInput() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let reporter = try await t.partyID("reporter", on: reference, token: leader.token)
            let stranger = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "partyId": UUID().uuidString, "method": "phone", "direction": "outbound", "summary": "x",
                "at": "2030-01-01T00:00:00Z",
            ], token: leader.token)
            #expect(Set(stranger.fieldErrors) == ["partyId", "at"])
            let empty = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts",
                                         json: ["method": "phone", "direction": "outbound", "summary": " "], token: leader.token)
            #expect(empty.fieldErrors == ["summary"])
            let zeroDays = try await t.send(.PUT, "/api/v1/cases/\(reference)/contact-plans/\(reporter)",
                                            json: ["frequency": "everyDays", "method": "phone"], token: leader.token)
            #expect(zeroDays.fieldErrors == ["frequency"])
            let intake = try await t.staffToken(.intake)
            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/contacts",
                                     json: ["method": "phone", "direction": "outbound", "summary": "x"], token: intake.token).status == .forbidden)
            #expect(try await ContactLogEntry.query(on: t.app.db).count() == 0)
        }
    }
}
