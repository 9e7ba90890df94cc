@testable import ASBServer
import ASBCore
import Fluent
import SQLKit
import Foundation
import Testing
import Vapor

@Suite("Parties on cases (SS-NXT-3, SS-NXT-4)")
struct PartyTests {
    @Test("Find a person by the start of their name or address, by postcode or by tenancy reference")
    func search() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            var reporter = Fixtures.person(3)
            reporter["name"] = "Morgan Fictional"
            reporter["address"] = "12 Sample Street, Southend-on-Sea"
            _ = try await t.submitReport(["reporter": reporter])
            _ = try await t.submitReport(["reporter": reporter])
            func names(_ query: String) async throws -> [String] {
                let reply = try await t.send(.GET, "/api/v1/parties?\(query)", token: leader.token)
                #expect(reply.status == .ok, "\(reply.text)")
                return ((try? JSONSerialization.jsonObject(with: reply.body)) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            }
            #expect(try await names("q=morg") == ["Morgan Fictional", "Morgan Fictional"])
            #expect(try await names("q=12%20sample").count == 2)
            #expect(try await names("postcode=ss26fy").count == 2)
            #expect(try await names("q=zz") == [])
            // Each person listed is a read of their data: one audit entry each, none for an empty result.
            let listed = ((try? JSONSerialization.jsonObject(with: try await t.send(.GET, "/api/v1/parties?q=morg", token: leader.token).body))
                as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            let searches = try await AuditEvent.query(on: t.app.db).filter(\.$action == "party.search").all()
            #expect(listed.count == 2 && searches.filter { listed.contains($0.entityID) }.count == 2 * 4)
            #expect(Set(searches.map(\.entityID)) == Set(listed) && searches.allSatisfy { $0.entityType == "party" })
            let tooShort = try await t.send(.GET, "/api/v1/parties?q=m", token: leader.token)
            #expect(tooShort.status == .unprocessableEntity)
            #expect(try await t.send(.GET, "/api/v1/parties?postcode=nonsense", token: leader.token).fieldErrors == ["postcode"])
            let analyst = try await t.staffToken(.analyst)
            #expect(try await t.send(.GET, "/api/v1/parties?q=morg", token: analyst.token).status == .forbidden)
        }
    }

    @Test("SS-NXT-4: a search gives each person listed the number of cases they are on, each case once")
    func searchCaseCounts() async throws {
        try await TestApp.run { t in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: 300, seed: 3))
            let (_, leader) = try await t.staffToken(.teamLeader)
            // Five people on more cases: witnesses on three more, one of them twice on one case.
            let db = t.app.db
            let people = try await Party.query(on: db).filter(\.$postcode != nil).sort(\.$id).limit(5).all()
            let cases = try await ASBCase.query(on: db).sort(\.$reference).limit(20).all()
            for (i, person) in people.enumerated() {
                for (j, c) in cases[(i * 3)..<(i * 3 + 3)].enumerated() {
                    for role in (i == 0 && j == 0 ? [PartyRole.witness, .victim] : [.witness]) {
                        let link = CaseParty()
                        (link.$asbCase.id, link.$party.id, link.role, link.createdAt) = (try c.requireID(), try person.requireID(), role, t.clock.now)
                        try await link.create(on: db)
                    }
                }
            }
            let links = try await CaseParty.query(on: db).all()
            var stored: [UUID: Set<UUID>] = [:]
            for link in links { stored[link.$party.id, default: []].insert(link.$asbCase.id) }
            let postcodes = Set(try await Party.query(on: t.app.db).filter(\.$postcode != nil).all().compactMap(\.postcode))
            var listed = 0, onSeveral = 0
            for postcode in Set(people.compactMap(\.postcode)).union(postcodes.sorted().prefix(10)) {
                let found = try await PartyService(app: t.app, db: t.app.db, requestID: nil)
                    .search(q: nil, postcode: postcode, tenancyReference: nil, by: leader)
                for person in found {
                    #expect(person.caseCount == stored[person.id]?.count ?? 0, "\(postcode)")
                    listed += 1
                    if person.caseCount > 1 { onSeveral += 1 }
                }
            }
            #expect(listed > 0 && onSeveral > 0, "people on one case and on several were listed: \(listed), \(onSeveral)")
        }
    }

    @Test("On SQLite a search reads its 50 people in index order and counts their cases from the index alone",
          .enabled(if: TestDatabase.postgresURL == nil))
    func searchIndexes() async throws {
        try await TestApp.run { t in
            let sql = try t.app.db.sql
            func plan(_ query: SQLQueryString) async throws -> String {
                try await sql.raw("EXPLAIN QUERY PLAN \(query)").all().map { try $0.decode(column: "detail", as: String.self) }
                    .joined(separator: "; ")
            }
            // The shapes PartyService.search asks: a range of names or addresses in (key, id) order, then the counts.
            for key in ["name_key", "address_key"] {
                let range = try await plan("""
                    SELECT id, name, name_key, address, postcode, tenancy_reference FROM parties WHERE \(unsafeRaw: key) >= 'AB' AND \(unsafeRaw: key) < 'AC' ORDER BY \(unsafeRaw: key), id LIMIT 50
                    """)
                #expect(range.contains("USING INDEX") && !range.contains("TEMP B-TREE"), "\(key): \(range)")
            }
            let counts = try await plan("""
                SELECT party_id, COUNT(DISTINCT case_id) AS n FROM case_parties WHERE party_id IN (\(binds: [UUID(), UUID()])) GROUP BY party_id
                """)
            #expect(counts.contains("COVERING INDEX case_parties_party_idx"), "\(counts)")
        }
    }

    @Test("A search lists at most 50 people by name, each once: names and addresses that start with the text, merged; people without a name last")
    func searchManyMatches() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            func person(_ name: String?, _ address: String, postcode: String? = nil) async throws {
                let party = Party()
                party.name = name
                party.nameKey = name?.uppercased()
                party.address = address
                party.addressKey = address.uppercased()
                party.postcode = postcode
                party.interpreterNeeded = false
                party.supportNeeds = []
                party.createdAt = t.clock.now
                party.updatedAt = t.clock.now
                try await party.create(on: t.app.db)
            }
            for n in 0..<60 { try await person("Quill Name \(String(format: "%02d", n))", "\(n + 1) Other Road") }
            for n in 0..<3 { try await person("Abbot \(n)", "Quill Lane \(n + 1)") }
            try await person("Quill Both", "Quill Court")
            try await person(nil, "Quill Yard")
            func names(_ q: String) async throws -> [String?] {
                let reply = try await t.send(.GET, "/api/v1/parties?q=\(q)", token: leader.token)
                #expect(reply.status == .ok, "\(reply.text)")
                let rows = (try? JSONSerialization.jsonObject(with: reply.body)) as? [[String: Any]] ?? []
                #expect(Set(rows.compactMap { $0["id"] as? String }).count == rows.count, "each person once")
                return rows.map { $0["name"] as? String }
            }
            let expected: [String?] = ["Abbot 0", "Abbot 1", "Abbot 2", "Quill Both"] + (0..<46).map { "Quill Name \(String(format: "%02d", $0))" }
            let broad = try await names("quill")
            #expect(broad == expected, "\(broad)")
            #expect(try await names("quill%20n") == (0..<50).map { "Quill Name \(String(format: "%02d", $0))" })
            #expect(try await names("quill%20y") == [nil], "found by address alone")
            #expect(try await names("quill%20").count == 50)

            // By postcode: by name, people without a name last, on SQLite (which sorts NULL first)
            // as on PostgreSQL.
            try await person(nil, "1 Postcode Row", postcode: "SS9 9ZZ")
            for name in ["Zed Row", "Ada Row", "Mo Row"] { try await person(name, "2 Postcode Row", postcode: "SS9 9ZZ") }
            try await person(nil, "3 Postcode Row", postcode: "SS9 9ZZ")
            let byPostcode = try await t.send(.GET, "/api/v1/parties?postcode=ss9%209zz", token: leader.token)
            let rows = (try? JSONSerialization.jsonObject(with: byPostcode.body)) as? [[String: Any]] ?? []
            #expect(rows.map { $0["name"] as? String } == ["Ada Row", "Mo Row", "Zed Row", nil, nil], "\(rows)")
        }
    }

    @Test("SS-NXT-3: an officer records support needs with notes, language, contact times and consent; reads are audited")
    func editDetails() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let id = try await t.partyID("reporter", on: reference, token: leader.token)
            let reply = try await t.send(.PATCH, "/api/v1/parties/\(id)", json: [
                "supportNeeds": ["mentalHealth", "language"], "supportNotes": "Anxious about attending meetings.",
                "language": "Polish", "interpreterNeeded": true, "preferredContactTimes": "Weekday evenings after 6",
                "consentToShare": true, "tenancyReference": "T-0042", "phone": "",
            ], token: leader.token)
            #expect(reply.status == .ok, "\(reply.text)")
            let party = try #require(reply.json["party"] as? [String: Any])
            #expect(party["supportNeeds"] as? [String] == ["mentalHealth", "language"])
            #expect(party["interpreterNeeded"] as? Bool == true)
            #expect(party["consentToShare"] as? Bool == true)
            #expect(party["phone"] == nil, "An empty string clears the field")
            #expect((reply.json["cases"] as? [[String: Any]])?.first?["reference"] as? String == reference)

            let bad = try await t.send(.PATCH, "/api/v1/parties/\(id)", json: ["email": "nope", "postcode": "X1", "supportNeeds": ["magic"]],
                                       token: leader.token)
            #expect(bad.status == .unprocessableEntity)
            let stillGood = try #require(try await Party.find(UUID(uuidString: id), on: t.app.db))
            #expect(stillGood.email != "nope" && stillGood.language == "Polish")

            _ = try await t.send(.GET, "/api/v1/parties/\(id)", token: leader.token)
            let actions = try await AuditEvent.query(on: t.app.db).filter(\.$entityType == "party").all().map(\.action)
            #expect(actions.contains("party.update") && actions.contains("party.read"))
            #expect(try await t.send(.GET, "/api/v1/parties/\(UUID())", token: leader.token).status == .notFound)
            let intake = try await t.staffToken(.intake)
            #expect(try await t.send(.PATCH, "/api/v1/parties/\(id)", json: ["language": "Welsh"], token: intake.token).status == .forbidden)
        }
    }

    @Test("SS-NXT-4: parties are added with roles; a known person brings their other cases and the repeat flags")
    func linkAndRepeatFlags() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            let first = try #require(try await t.submitReport(["allegedPerpetrator": ["name": "Jamie Madeup", "address": "3 Example Road"]])
                .string("reference"))
            let reporterID = try await t.partyID("reporter", on: first, token: leader.token)
            let perpetratorID = try await t.partyID("allegedPerpetrator", on: first, token: leader.token)
            t.clock.advance(by: 200 * 86_400)
            let leader2 = try await t.staffToken(.teamLeader)
            let second = try #require(try await t.submitReport(["anonymous": true, "reporter": NSNull()]).string("reference"))

            let victim = try await t.send(.POST, "/api/v1/cases/\(second)/parties", json: ["role": "victim", "partyId": reporterID],
                                          token: leader2.token)
            #expect(victim.status == .created, "\(victim.text)")
            #expect(victim.json["repeatVictim"] as? Bool == true, "The same person reported a case 200 days earlier")
            #expect(victim.json["repeatPerpetrator"] as? Bool == false)
            let linked = (victim.json["parties"] as? [[String: Any]] ?? []).first { $0["role"] as? String == "victim" }
            #expect((linked?["otherCases"] as? [[String: Any]])?.first?["reference"] as? String == first)

            let perpetrator = try await t.send(.POST, "/api/v1/cases/\(second)/parties",
                                               json: ["role": "allegedPerpetrator", "partyId": perpetratorID], token: leader2.token)
            #expect(perpetrator.json["repeatPerpetrator"] as? Bool == true)
            let witness = try await t.send(.POST, "/api/v1/cases/\(second)/parties",
                                           json: ["role": "witness", "party": ["name": "Robin Sample", "phone": "01632 960 123"]],
                                           token: leader2.token)
            #expect(witness.status == .created)
            #expect((witness.json["parties"] as? [Any])?.count == 3)

            let again = try await t.send(.POST, "/api/v1/cases/\(second)/parties", json: ["role": "victim", "partyId": reporterID],
                                         token: leader2.token)
            #expect(again.status == .conflict)
            let both = try await t.send(.POST, "/api/v1/cases/\(second)/parties",
                                        json: ["role": "other", "partyId": reporterID, "party": ["name": "X"]], token: leader2.token)
            #expect(both.fieldErrors == ["partyId"])
            let nameless = try await t.send(.POST, "/api/v1/cases/\(second)/parties", json: ["role": "other", "party": ["phone": "01632 960 999"]],
                                            token: leader2.token)
            #expect(nameless.fieldErrors == ["party.name"])
            let timeline = try await t.send(.GET, "/api/v1/cases/\(second)/timeline", token: leader2.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "partyAdded" }.count == 3)
        }
    }

    @Test("A case over 12 months after the other is not a repeat")
    func notRepeatAfterAYear() async throws {
        try await TestApp.run(configure: { $0.tokenLifetime = 30 * 86_400 * 24 }) { t in
            let leader = try await t.staffToken(.teamLeader)
            let first = try #require(try await t.submitReport().string("reference"))
            let reporterID = try await t.partyID("reporter", on: first, token: leader.token)
            t.clock.advance(by: 400 * 86_400)
            let second = try #require(try await t.submitReport(["anonymous": true, "reporter": NSNull()]).string("reference"))
            let reply = try await t.send(.POST, "/api/v1/cases/\(second)/parties", json: ["role": "victim", "partyId": reporterID],
                                         token: leader.token)
            #expect(reply.json["repeatVictim"] as? Bool == false)
        }
    }
}
