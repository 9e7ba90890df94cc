@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("The ASB Case Review, the community trigger (SS-PRT-1)")
struct CaseReviewTests {
    @Test("SS-PRT-1: the third qualifying report in six months meets the threshold; the reporter is told how to apply")
    func threeReports() async throws {
        try await TestApp.run(configure: { $0.tokenLifetime = 60 * 86_400 }) { t in
            let receipt = try await t.submitReport(["occurredOn": "2026-11-23"])
            let reference = try #require(receipt.string("reference"))
            let code = try #require(receipt.string("accessCode"))
            let leader = try await t.staffToken(.teamLeader)
            // A late report (about behaviour two months earlier) does not qualify.
            _ = try await t.send(.POST, "/api/v1/track/incidents", json: ["reference": reference, "accessCode": code,
                                                                          "description": "Something from September.", "occurredOn": "2026-09-20"])
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).caseReviewStatus == nil)
            t.clock.advance(by: 7 * 86_400)
            _ = try await t.send(.POST, "/api/v1/track/incidents", json: ["reference": reference, "accessCode": code,
                                                                          "description": "Again.", "occurredOn": "2026-11-30"])
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).caseReviewStatus == nil, "Two qualifying reports")
            t.clock.advance(by: 7 * 86_400)
            _ = try await t.send(.POST, "/api/v1/track/incidents", json: ["reference": reference, "accessCode": code,
                                                                          "description": "And again.", "occurredOn": "2026-12-07"])
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).caseReviewStatus == .thresholdMet)

            let tracked = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code])
            let notice = try #require(tracked.json["caseReview"] as? [String: Any])
            #expect(notice["canApply"] as? Bool == true)
            #expect((notice["message"] as? String)?.contains("Community Safety Partnership") == true)
            let queue = try await t.send(.GET, "/api/v1/queues/caseReviewThreshold", token: leader.token)
            #expect((queue.json["items"] as? [[String: Any]])?.first?["reference"] as? String == reference)

            // The application, the meeting (outcome due in 10 working days), and the outcome sent.
            let applied = try await t.send(.POST, "/api/v1/cases/\(reference)/case-review-applications", json: [String: Any](),
                                           token: leader.token)
            #expect(applied.status == .created, "\(applied.text)")
            let application = try #require(((try? JSONSerialization.jsonObject(with: applied.body)) as? [[String: Any]])?.first)
            #expect(application["thresholdMet"] as? Bool == true)
            let id = try #require(application["id"] as? String)
            let meeting = try await t.send(.PATCH, "/api/v1/cases/\(reference)/case-review-applications/\(id)",
                                           json: ["meetingOn": "2026-12-15"], token: leader.token)
            let due = ((try? JSONSerialization.jsonObject(with: meeting.body)) as? [[String: Any]])?.first?["outcomeDueAt"] as? String
            // The end of the 10th working day after the meeting, on the working calendar (over Christmas).
            let expected = ServiceClock.dueAt(receivedAt: LondonTime.startOfDay(LocalDate(iso: "2026-12-15")!), rule: .workingDays(10),
                                              calendar: .englandAndWales)
            #expect(due == expected.formatted(.iso8601))
            let early = try await t.send(.PATCH, "/api/v1/cases/\(reference)/case-review-applications/\(id)",
                                         json: ["outcomeSentOn": "2026-12-20"], token: leader.token)
            #expect(early.fieldErrors == ["outcome"])
            _ = try await t.send(.PATCH, "/api/v1/cases/\(reference)/case-review-applications/\(id)",
                                 json: ["outcome": "Handled appropriately; joint visit recommended.", "recommendations": "Joint visit",
                                        "outcomeSentOn": "2026-12-21"], token: leader.token)
            let after = try await t.send(.GET, "/api/v1/queues/caseReviewThreshold", token: leader.token)
            #expect((after.json["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("SS-PRT-1: one hate report meets the threshold; anonymous reporters are told they cannot apply, and why")
    func hateAndAnonymous() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport(["anonymous": true, "reporter": NSNull(), "hate": true, "hateStrands": ["disability"]])
            let reference = try #require(receipt.string("reference"))
            let code = try #require(receipt.string("accessCode"))
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).caseReviewStatus == .thresholdMet)
            let tracked = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code])
            #expect((tracked.json["caseReview"] as? [String: Any])?["canApply"] as? Bool == false)
            let leader = try await t.staffToken(.teamLeader)
            let refused = try await t.send(.POST, "/api/v1/cases/\(reference)/case-review-applications", json: [String: Any](),
                                           token: leader.token)
            #expect(refused.status == .conflict && refused.json["clause"] as? String == "SS-PRT-1")
        }
    }

    @Test("The threshold is configuration: with the hate rule off, one hate report is not enough")
    func configurable() async throws {
        try await TestApp.run(configure: { $0.caseReview.hateReportsNeeded = 0 }) { t in
            _ = try await t.submitReport(["hate": true, "hateStrands": ["race"]])
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).caseReviewStatus == nil)
        }
    }

    @Test("SS-PRT-1: the Case Review queue pages all three open steps together, by due time, either way, without losing a case")
    func queueMergesSteps() async throws {
        try await TestApp.run { t in
            var references: [String] = []
            for _ in 0..<9 { references.append(try #require(try await t.submitReport().string("reference"))) }
            // Three cases at each open step, due at interleaved times (two sharing one), and one whose outcome was sent.
            let steps: [CaseReviewStatus] = [.thresholdMet, .applied, .outcomeDue]
            let base = t.clock.now
            for (index, reference) in references.enumerated() {
                let asbCase = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first())
                asbCase.caseReviewStatus = steps[index % 3]
                asbCase.caseReviewDueAt = base.addingTimeInterval(Double(index == 8 ? 7 : index) * 3600)
                try await asbCase.save(on: t.app.db)
            }
            let sent = try #require(try await t.submitReport().string("reference"))
            let done = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == sent).first())
            done.caseReviewStatus = .outcomeSent
            try await done.save(on: t.app.db)
            let byDue = try await ASBCase.query(on: t.app.db).filter(\.$caseReviewStatus != .outcomeSent)
                .filter(\.$caseReviewStatus != nil).all()
                .sorted { ($0.caseReviewDueAt!, $0.id!.uuidString) < ($1.caseReviewDueAt!, $1.id!.uuidString) }.map(\.reference)
            #expect(byDue.count == 9)

            let (token, leader) = try await t.staffToken(.teamLeader)
            let seen = try await t.allPages("/api/v1/queues/caseReviewThreshold?limit=2", token: token, max: 20)
                .compactMap { $0["reference"] as? String }
            #expect(seen == byDue)

            let queues = QueueService(db: t.app.db)
            var least: [String] = []
            var next: String?
            repeat {
                let page = try await queues.page(.caseReviewThreshold, for: leader, calendar: .englandAndWales, now: t.clock.now,
                                                 cursor: next, limit: 4, leastUrgentFirst: true)
                least += page.items.map(\.asbCase.reference)
                next = page.nextCursor
            } while next != nil && least.count < 20
            #expect(least == byDue.reversed())
        }
    }
}
