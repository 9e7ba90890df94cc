@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Case review meetings (SS-PRG-4)")
struct ReviewTests {
    @Test("SS-PRG-4: a meeting is scheduled, shows in reviewsDue on the day, and when held its actions join the plan and the next review is scheduled")
    func meetingCycle() async throws {
        try await TestApp.run(configure: { $0.tokenLifetime = 60 * 86_400 }) { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            try await t.allocate(reference, to: officer.user, token: leader.token)
            let police = try await t.agencyID("Police")
            _ = try await t.send(.PUT, "/api/v1/cases/\(reference)/action-plan", json: [
                "howAgreed": "phone", "actions": [["what": "Keep a diary", "owner": "reporter", "dueOn": "2026-11-30"]],
            ], token: officer.token)

            let scheduled = try await t.send(.POST, "/api/v1/cases/\(reference)/reviews", json: [
                "scheduledFor": "2026-12-01", "attendees": ["ASB officer", "Team leader"], "agencyIds": [police],
            ], token: officer.token)
            #expect(scheduled.status == .created, "\(scheduled.text)")
            let meetingID = try #require(((try? JSONSerialization.jsonObject(with: scheduled.body)) as? [[String: Any]])?.first?["id"] as? String)

            func due(_ token: String) async throws -> [String] {
                let reply = try await t.send(.GET, "/api/v1/queues/reviewsDue", token: token)
                #expect(reply.status == .ok, "\(reply.text)")
                return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["reference"] as? String }
            }
            #expect(try await due(leader.token) == [])
            t.clock.advance(by: 7 * 86_400)
            #expect(try await due(leader.token) == [reference])
            #expect(try await due(officer.token) == [reference])

            let held = try await t.send(.PUT, "/api/v1/cases/\(reference)/reviews/\(meetingID)", json: [
                "attendees": ["ASB officer", "Team leader", "PC Example"], "agencyIds": [police],
                "summary": "Reviewed the noise diary and police logs.", "decisions": "Warning letter; joint visit.",
                "nextReviewOn": "2026-12-15",
                "actions": [["what": "Joint visit with the police", "owner": "partnerAgency", "ownerAgencyId": police, "dueOn": "2026-12-08"]],
            ], token: officer.token)
            #expect(held.status == .ok, "\(held.text)")
            let meetings = (try? JSONSerialization.jsonObject(with: held.body)) as? [[String: Any]] ?? []
            #expect(meetings.compactMap { $0["status"] as? String } == ["scheduled", "held"], "The next review is scheduled")
            #expect(try await due(leader.token) == [])

            let plan = try await t.send(.GET, "/api/v1/cases/\(reference)/action-plan", token: officer.token)
            let actions = ((plan.json["current"] as? [String: Any])?["actions"] as? [[String: Any]] ?? []).compactMap { $0["what"] as? String }
            #expect(actions == ["Keep a diary", "Joint visit with the police"], "Meeting actions join the plan")

            let again = try await t.send(.PUT, "/api/v1/cases/\(reference)/reviews/\(meetingID)", json: ["summary": "Again", "attendees": ["X"]],
                                         token: officer.token)
            #expect(again.status == .conflict)
            let timeline = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline?limit=100", token: leader.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "reviewScheduled" }.count == 2 && kinds.contains("reviewHeld"))
        }
    }

    @Test("A meeting record is validated: summary, attendees, dates and agencies")
    func badInput() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let bad = try await t.send(.POST, "/api/v1/cases/\(reference)/reviews",
                                       json: ["scheduledFor": "next week", "agencyIds": [UUID().uuidString]], token: leader.token)
            #expect(Set(bad.fieldErrors) == ["scheduledFor", "agencyIds"])
            let scheduled = try await t.send(.POST, "/api/v1/cases/\(reference)/reviews", json: ["scheduledFor": "2026-11-24"], token: leader.token)
            let id = try #require(((try? JSONSerialization.jsonObject(with: scheduled.body)) as? [[String: Any]])?.first?["id"] as? String)
            let record = try await t.send(.PUT, "/api/v1/cases/\(reference)/reviews/\(id)", json: [
                "summary": " ", "heldOn": "2027-01-01", "nextReviewOn": "2026-01-01",
                "actions": [["what": "", "owner": "reporter"]],
            ], token: leader.token)
            #expect(Set(record.fieldErrors).isSuperset(of: ["summary", "heldOn", "attendees", "actions.0.what"]))
            #expect(try await ReviewMeeting.query(on: t.app.db).filter(\.$status == .held).count() == 0)
        }
    }
}
