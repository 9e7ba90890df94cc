@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Safe retries and concurrent intake")
struct IdempotencyAndConcurrencyTests {
    @Test("Idempotency-Key: the same key and body return the same 201 and never a second case")
    func sameKeySameBody() async throws {
        try await TestApp.run { t in
            let body = Fixtures.webReport(seed: 7)
            let first = try await t.send(.POST, "/api/v1/reports", json: body, headers: [("Idempotency-Key", "retry-1")])
            let second = try await t.send(.POST, "/api/v1/reports", json: body, headers: [("Idempotency-Key", "retry-1")])
            #expect(first.status == .created)
            #expect(second.status == .created)
            #expect(first.json["reference"] as? String == second.json["reference"] as? String)
            #expect(first.json["accessCode"] as? String == second.json["accessCode"] as? String)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)

            let other = try await t.send(.POST, "/api/v1/reports", json: body, headers: [("Idempotency-Key", "retry-2")])
            #expect(other.json["reference"] as? String == "ASB-2026-00002", "A new key is a new report")
        }
    }

    @Test("Idempotency-Key: the same key with a different body is 422 and stores nothing")
    func sameKeyDifferentBody() async throws {
        try await TestApp.run { t in
            _ = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 1), headers: [("Idempotency-Key", "k")])
            var changed = Fixtures.webReport(seed: 1)
            changed["description"] = "Something else entirely."
            let reply = try await t.send(.POST, "/api/v1/reports", json: changed, headers: [("Idempotency-Key", "k")])
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.fieldErrors == ["Idempotency-Key"])
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
            let tooLong = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 2),
                                           headers: [("Idempotency-Key", String(repeating: "k", count: 201))])
            #expect(tooLong.status == .badRequest)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }

    @Test("Idempotency-Key: concurrent retries of one submission create exactly one case")
    func concurrentRetries() async throws {
        try await TestApp.run { t in
            let replies = try await withThrowingTaskGroup(of: TestApp.Reply.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 3), headers: [("Idempotency-Key", "burst")])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == .created })
            #expect(Set(replies.compactMap { $0.json["reference"] as? String }).count == 1)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
        }
    }

    @Test("Concurrent submissions get distinct, gap-free sequential references")
    func concurrentSubmissions() async throws {
        try await TestApp.run { t in
            let count = 40
            let references = try await withThrowingTaskGroup(of: String?.self) { group in
                for i in 0..<count {
                    group.addTask { try await t.submitReport(Fixtures.webReport(seed: i)).json["reference"] as? String }
                }
                return try await group.reduce(into: [String]()) { if let r = $1 { $0.append(r) } }
            }
            #expect(references.count == count)
            let expected = (1...count).map { CaseReference(year: 2026, number: $0).description }
            #expect(references.sorted() == expected)
        }
    }

    @Test("References are sequential per year and restart at 00001 in a new year")
    func referencesPerYear() async throws {
        let clock = TestClock(ISO8601DateFormatter().date(from: "2026-12-31T23:30:00Z")!)
        try await TestApp.run(clock: clock) { (t: TestApp) async throws -> Void in
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00001")
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00002")
            clock.advance(by: 3600)
            #expect(try await t.submitReport().string("reference") == "ASB-2027-00001")
        }
    }
}

@Suite("New incidents on a case (SS-PRG-1)")
struct IncidentTests {
    @Test("SS-PRG-1: staff add a new incident with caseReference; lastIncidentAt moves on, no new case or code")
    func incidentViaReports() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport()
            let reference = try #require(receipt.json["reference"] as? String)
            t.clock.advance(by: 3600)
            let officer = try await t.staffToken(.officer)
            let reply = try await t.send(.POST, "/api/v1/reports", json: [
                "channel": "phone", "caseReference": reference.lowercased(), "description": "It happened again tonight.",
                "hate": true, "hateStrands": ["disability"],
            ], token: officer.token)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["reference"] as? String == reference)
            #expect(reply.json["accessCode"] == nil)
            #expect(try await ASBCase.query(on: t.app.db).count() == 1)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.lastIncidentAt == t.clock.now)
            #expect(stored.hate && stored.hateStrands == [.disability], "SS-DEF-2: any later perception of hate makes it a hate case")
            #expect(stored.priority == .p1, "SS-RT-2")
            #expect(stored.version == 2)
            #expect(try await IncidentReport.query(on: t.app.db).count() == 2)
        }
    }

    @Test("SS-PRG-1: POST /cases/{reference}/incidents records a new incident; the public cannot add to a case")
    func incidentEndpoint() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let intake = try await t.staffToken(.intake)
            let reply = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                         json: ["channel": "letter", "description": "Graffiti on the door.", "categories": ["vandalism"],
                                                "receivedAt": "2026-11-23T08:00:00Z"],
                                         token: intake.token)
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["channel"] as? String == "letter")
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.categories == [.noise, .vandalism])
            #expect(stored.lastIncidentAt == tuesdayMorning, "An older incident does not move lastIncidentAt back")

            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                     json: ["channel": "web", "description": "x"]).status == .unauthorized)
            #expect(try await t.submitReport(["caseReference": reference]).status == .unauthorized)
            #expect(try await t.send(.POST, "/api/v1/cases/ASB-2026-09999/incidents",
                                     json: ["channel": "web", "description": "x"], token: intake.token).status == .notFound)
            let empty = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                         json: ["channel": "web", "description": ""], token: intake.token)
            #expect(empty.fieldErrors == ["description"])
        }
    }

    @Test("SS-CLS-1: a closed case takes no new incident (409 naming the rule)")
    func closedCaseRefusesIncident() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            stored.status = .closed
            try await stored.save(on: t.app.db)
            let intake = try await t.staffToken(.intake)
            let reply = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents",
                                         json: ["channel": "phone", "description": "Again."], token: intake.token)
            #expect(reply.status == .conflict)
            #expect(reply.json["code"] as? String == "case.closedTakesNoIncident", "A report with caseReference opens the linked case")
            #expect(reply.json["clause"] as? String == "SS-CLS-1")
            #expect(try await IncidentReport.query(on: t.app.db).count() == 1)
        }
    }
}
