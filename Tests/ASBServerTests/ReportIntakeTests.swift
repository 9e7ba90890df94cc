@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Reports from every channel (SS-REP-1)")
struct ReportIntakeTests {
    @Test("SS-REP-1: a public web report creates a case with a reference, an access code and its first incident")
    func publicWebReport() async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport()
            #expect(reply.status == .created)
            let reference = try #require(reply.json["reference"] as? String)
            #expect(reference == "ASB-2026-00001")
            let code = try #require(reply.json["accessCode"] as? String)
            #expect(code.count == 14 && code.filter { $0 == "-" }.count == 2)
            #expect(reply.json["status"] as? String == "received")
            #expect(reply.json["priority"] as? Int == 3, "Without risk answers the provisional priority is standard")

            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.accessCodeHash != code && !stored.accessCodeHash.contains(code), "The access code is stored hashed")
            #expect(try await IncidentReport.query(on: t.app.db).count() == 1)
            #expect(try await CaseParty.query(on: t.app.db).filter(\.$role == .reporter).count() == 1)
        }
    }

    @Test("SS-REP-1: staff record reports from every channel, all as the same kind of record",
          arguments: ["web", "email", "letter", "officer", "phone", "inPerson"])
    func staffChannels(channel: String) async throws {
        try await TestApp.run { t in
            let intake = try await t.staffToken(.intake)
            let reply = try await t.submitReport(["channel": channel], token: intake.token)
            #expect(reply.status == .created, "\(reply.text)")
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.channel.rawValue == channel)
            let incident = try #require(try await IncidentReport.query(on: t.app.db).first())
            #expect(incident.channel.rawValue == channel)
            #expect(incident.$recordedBy.id == intake.user.id)
        }
    }

    @Test("SS-REP-1: without a token only the web channel is accepted (401 for staff channels)",
          arguments: ["email", "letter", "officer", "phone", "inPerson"])
    func publicStaffChannelRefused(channel: String) async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport(["channel": channel])
            #expect(reply.status == .unauthorized)
            #expect(reply.headers.contentType?.description.contains("problem+json") == true)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("A role that may not record reports gets 403; a bad token gets 401, never a public fallback")
    func rolesThatMayNotRecord() async throws {
        try await TestApp.run { t in
            for role in [Role.analyst, .admin, .partner] {
                let staff = try await t.staffToken(role)
                #expect(try await t.submitReport(["channel": "letter"], token: staff.token).status == .forbidden)
            }
            #expect(try await t.submitReport(token: "not-a-real-token").status == .unauthorized)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("A letter's date stamp: staff may record receivedAt in the past; the case's clock starts then")
    func letterReceivedEarlier() async throws {
        try await TestApp.run { t in
            let intake = try await t.staffToken(.intake)
            let reply = try await t.submitReport(["channel": "letter", "receivedAt": "2026-11-20T09:00:00Z"], token: intake.token)
            #expect(reply.status == .created)
            #expect(reply.json["receivedAt"] as? String == "2026-11-20T09:00:00Z")
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.receivedAt == ISO8601DateFormatter().date(from: "2026-11-20T09:00:00Z"))
            #expect(stored.createdAt == t.clock.now)

            let future = try await t.submitReport(["channel": "letter", "receivedAt": "2026-12-20T09:00:00Z"], token: intake.token)
            #expect(future.status == .unprocessableEntity)
            #expect(future.fieldErrors == ["receivedAt"])
            let publicBackdated = try await t.submitReport(["receivedAt": "2026-11-20T09:00:00Z"])
            #expect(publicBackdated.status == .unprocessableEntity)
            #expect(publicBackdated.fieldErrors == ["receivedAt"])
        }
    }

    @Test("Validation: every bad field is named at once in a 422 problem, and nothing is stored")
    func validationErrors() async throws {
        try await TestApp.run { t in
            var reporter = Fixtures.person(1)
            reporter["email"] = "not-an-email"
            reporter["postcode"] = "XX1"
            let reply = try await t.submitReport([
                "description": "   ", "reporter": reporter, "occurredOn": "2026-02-30", "occurredAt": "25:99",
                "postcode": "NOT A POSTCODE", "hate": true, "hateStrands": [String](),
            ])
            #expect(reply.status == .unprocessableEntity)
            #expect(reply.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            #expect(Set(reply.fieldErrors) == ["description", "reporter.email", "reporter.postcode", "occurredOn",
                                               "occurredAt", "postcode", "hateStrands"])
            #expect(reply.json["status"] as? Int == 422)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
            #expect(try await Party.query(on: t.app.db).count() == 0)
        }
    }

    @Test("Bad JSON, a wrong type and an unknown enum value are 422 problems naming the field")
    func malformedBodies() async throws {
        try await TestApp.run { t in
            let notJSON = try await t.send(.POST, "/api/v1/reports", raw: "{not json")
            #expect(notJSON.status == .unprocessableEntity)
            let wrongType = try await t.send(.POST, "/api/v1/reports", raw: #"{"channel":"web","description":42}"#)
            #expect(wrongType.status == .unprocessableEntity)
            #expect(wrongType.fieldErrors == ["description"])
            let unknownChannel = try await t.send(.POST, "/api/v1/reports", raw: #"{"channel":"pigeon","description":"x"}"#)
            #expect(unknownChannel.status == .unprocessableEntity)
            #expect(unknownChannel.fieldErrors == ["channel"])
            let missing = try await t.send(.POST, "/api/v1/reports", raw: #"{"channel":"web"}"#)
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.fieldErrors == ["description"])
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("A body over the limit is refused with 413 before anything is read")
    func bodyLimit() async throws {
        try await TestApp.run(configure: { $0.maxBodyBytes = 4096 }) { t in
            let huge = String(repeating: "a", count: 5000)
            let reply = try await t.submitReport(["description": huge])
            #expect(reply.status == .payloadTooLarge)
            #expect(reply.json["status"] as? Int == 413)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("What happened may be up to 10,000 characters; one more is refused")
    func descriptionLength() async throws {
        try await TestApp.run { t in
            #expect(try await t.submitReport(["description": String(repeating: "x", count: 10_000)]).status == .created)
            let tooLong = try await t.submitReport(["description": String(repeating: "x", count: 10_001)])
            #expect(tooLong.fieldErrors == ["description"])
        }
    }

    @Test("Text in any script (Welsh, Polish, Arabic, emoji) is stored and returned intact; postcodes are normalised")
    func unicodeAndPostcodes() async throws {
        try await TestApp.run { t in
            let text = "Sŵn uchel drwy’r nos. Głośna muzyka! ضوضاء عالية في الليل 🔊🎶"
            var reporter = Fixtures.person(2)
            reporter["name"] = "Siân Łukasiewicz-Example"
            reporter["postcode"] = "ss26fy"
            let reply = try await t.submitReport(["description": text, "reporter": reporter, "postcode": " ss1  1aa "])
            #expect(reply.status == .created)
            let reference = try #require(reply.json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let detail = try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token)
            let incidents = try #require(detail.json["incidents"] as? [[String: Any]])
            #expect(incidents.first?["description"] as? String == text)
            #expect(detail.json["postcode"] as? String == "SS1 1AA")
            let parties = try #require(detail.json["parties"] as? [[String: Any]])
            let party = try #require(parties.first?["party"] as? [String: Any])
            #expect(party["name"] as? String == "Siân Łukasiewicz-Example")
            #expect(party["postcode"] as? String == "SS2 6FY")
        }
    }

    @Test("SS-REP-2: a report that someone is in immediate danger is recorded, and the reply carries the 999 advice")
    func immediateDanger() async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport(["immediateDanger": true])
            #expect(reply.status == .created)
            #expect((reply.json["emergencyAdvice"] as? String)?.contains("999") == true)
            #expect(reply.json["priority"] as? Int == 1)
            let calm = try await t.submitReport()
            #expect(calm.json["emergencyAdvice"] == nil)
        }
    }

    @Test("SS-RT-2, SS-DEF-2: a hate crime/incident is priority 1 from intake, with its strands recorded")
    func hateIsPriorityOne() async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport(["hate": true, "hateStrands": ["religionOrBelief", "race", "race"]])
            #expect(reply.status == .created)
            #expect(reply.json["priority"] as? Int == 1)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.hate)
            #expect(stored.hateStrands == [.religionOrBelief, .race])
            let inconsistent = try await t.submitReport(["hate": false, "hateStrands": ["disability"]])
            #expect(inconsistent.fieldErrors == ["hate"])
        }
    }

    @Test("Anonymous reports carry no reporter; reporter details with anonymous are refused")
    func anonymousReports() async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport(["anonymous": true, "reporter": NSNull()])
            #expect(reply.status == .created, "\(reply.text)")
            #expect(reply.json["accessCode"] != nil, "An anonymous reporter can still track the case")
            #expect(try await Party.query(on: t.app.db).count() == 0)
            let incident = try #require(try await IncidentReport.query(on: t.app.db).first())
            #expect(incident.anonymous)
            let both = try await t.submitReport(["anonymous": true])
            #expect(both.fieldErrors == ["reporter"])
            let neither = try await t.submitReport(["reporter": NSNull()])
            #expect(neither.fieldErrors == ["reporter"])
        }
    }

    @Test("The alleged perpetrator, when known, becomes a party on the case")
    func allegedPerpetrator() async throws {
        try await TestApp.run { t in
            let reply = try await t.submitReport(["allegedPerpetrator": ["name": "Jordan Madeup", "address": "3 Example Road"]])
            #expect(reply.status == .created)
            #expect(try await CaseParty.query(on: t.app.db).filter(\.$role == .allegedPerpetrator).count() == 1)
        }
    }

    @Test("A report is placed in its neighbourhood by a known property, else by postcode sector; people are linked to their known homes")
    func neighbourhoodByPlace() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin)
            let east = try await t.send(.POST, "/api/v1/neighbourhoods", json: ["name": "Eastwood Example", "postcodeSectors": ["ss1 1"]],
                                        token: admin.token)
            #expect(east.status == .created)
            #expect(east.json["postcodeSectors"] as? [String] == ["SS1 1"])
            let west = try await t.send(.POST, "/api/v1/neighbourhoods", json: ["name": "Westcliff Example"], token: admin.token)
            let westID = try #require(west.json["id"] as? String)
            let property = try await t.send(.POST, "/api/v1/properties",
                                            json: ["addressLine": "Flat 2, Sample Court", "postcode": "ss1 1ab",
                                                   "neighbourhoodId": westID, "tenancyReference": "T-0001"],
                                            token: admin.token)
            #expect(property.status == .created)

            _ = try await t.submitReport(["postcode": "SS1 1AA", "location": "Park"])
            _ = try await t.submitReport(["postcode": "SS1 1AB", "location": "flat 2, sample court"])
            _ = try await t.submitReport(["postcode": "SS9 9ZZ", "location": "Elsewhere"])
            // The reporter lives at the known property, the person they report at another known
            // one; the incident is in the street (the postcode sector places it).
            let propertyID = try #require(UUID(uuidString: property.json["id"] as? String ?? ""))
            let next = try await t.send(.POST, "/api/v1/properties",
                                        json: ["addressLine": "Flat 9, Sample Court", "postcode": "SS1 1AB", "tenancyReference": "T-0009"],
                                        token: admin.token)
            let nextID = try #require(UUID(uuidString: next.json["id"] as? String ?? ""))
            var reporter = Fixtures.person(7)
            reporter["address"] = "FLAT 2, Sample Court"
            reporter["postcode"] = "SS1 1AB"
            let fourth = try await t.submitReport(["postcode": "SS1 1AA", "location": "Outside the shops", "reporter": reporter,
                                                   "allegedPerpetrator": ["name": "Casey Madeup", "address": "Flat 9, Sample Court",
                                                                          "postcode": "SS1 1AB"]])
            #expect(fourth.status == .created)
            let cases = try await ASBCase.query(on: t.app.db).sort(\.$referenceNumber).with(\.$neighbourhood).all()
            #expect(cases.map { $0.neighbourhood?.name } == ["Eastwood Example", "Westcliff Example", nil, "Eastwood Example"])
            #expect(cases[1].$property.id == propertyID)
            #expect(cases[3].$property.id == nil)
            let links = try await CaseParty.query(on: t.app.db).filter(\.$asbCase.$id == cases[3].requireID()).with(\.$party).all()
            let home = Dictionary(links.map { ($0.role, $0.party) }, uniquingKeysWith: { first, _ in first })
            #expect(home[.reporter]?.$property.id == propertyID)
            #expect(home[.reporter]?.tenancyReference == "T-0001")
            #expect(home[.allegedPerpetrator]?.$property.id == nextID)
            #expect(home[.allegedPerpetrator]?.tenancyReference == "T-0009")
        }
    }

    @Test("The postcode sectors are read once a minute, and a neighbourhood added places the very next report")
    func sectorsCachedUntilChanged() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin)
            _ = try await t.submitReport(["postcode": "SS2 6AA", "location": "Park"])
            let added = try await t.send(.POST, "/api/v1/neighbourhoods",
                                         json: ["name": "Northfield Example", "postcodeSectors": ["SS2 6"]], token: admin.token)
            #expect(added.status == .created)
            _ = try await t.submitReport(["postcode": "SS2 6AB", "location": "Park"])
            // Added behind the service's back (as another instance would): not seen within the minute.
            let other = Neighbourhood(name: "Southfield Example", postcodeSectors: ["SS3 0"])
            try await other.create(on: t.app.db)
            _ = try await t.submitReport(["postcode": "SS3 0AA", "location": "Park"])
            let cases = try await ASBCase.query(on: t.app.db).sort(\.$referenceNumber).with(\.$neighbourhood).all()
            #expect(cases.map { $0.neighbourhood?.name } == [nil, "Northfield Example", nil])
        }
    }
}
