@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

@Suite("Subject access and who has looked")
struct SubjectAccessTests {
    /// Ada reports; Cy (complained about) is on the case; an officer logs a call with Ada that names Cy.
    static func build(_ t: TestApp) async throws -> (reference: String, ada: String, leader: (token: String, user: User)) {
        let ada: [String: Any] = ["name": "Ada Placeholder", "email": "ada@example.org", "phone": "01632 960 111",
                                  "address": "1 Example Road, Southend-on-Sea", "postcode": "SS2 6FY", "preferredContactMethod": "email"]
        let reference = try #require(try await t.submitReport(["reporter": ada, "description": "Loud parties at number 3 every weekend."]).string("reference"))
        let leader = try await t.staffToken(.teamLeader)
        _ = try await t.allocate(reference, to: leader.user, token: leader.token)
        #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/parties", json: ["role": "allegedPerpetrator", "party": ["name": "Cy Madeup"]],
                                 token: leader.token).status == .created)
        let adaID = try await t.partyID("reporter", on: reference, token: leader.token)
        let logged = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
            "partyId": adaID, "method": "phone", "direction": "outbound", "summary": "Told Ada that Cy Madeup has been warned.",
        ], token: leader.token)
        #expect(logged.status == .created, "\(logged.text)")
        _ = try await FeedbackService(app: t.app, db: t.app.db, requestID: nil).record(
            FeedbackDraft(kind: .complaint, text: "Nobody called me back.", name: "Ada Placeholder", email: "ada@example.org"),
            channel: .email, by: .staff(leader.user))
        return (reference, adaID, leader)
    }

    @Test("An admin's export holds the person's record and every case, with items naming others marked for review; it is audited")
    func export() async throws {
        try await TestApp.run { t in
            let (reference, ada, leader) = try await Self.build(t)
            let (admin, _) = try await t.staffToken(.admin)
            let reply = try await t.send(.GET, "/api/v1/parties/\(ada)/subject-access", token: admin)
            #expect(reply.status == .ok)
            let person = try #require(reply.json["person"] as? [String: String])
            #expect(person["name"] == "Ada Placeholder" && person["email"] == "ada@example.org" && person["postcode"] == "SS2 6FY")
            let cases = try #require(reply.json["cases"] as? [[String: Any]])
            #expect(cases.count == 1 && cases.first?["reference"] as? String == reference && cases.first?["role"] as? String == "reporter")
            let items = try #require(cases.first?["items"] as? [[String: Any]])
            let report = try #require(items.first { $0["kind"] as? String == "Their report" })
            #expect((report["review"] as? [String])?.isEmpty == true, "her own words, naming no one")
            let call = try #require(items.first { ($0["kind"] as? String)?.hasPrefix("Contact with them") == true })
            #expect((call["review"] as? [String])?.contains(SubjectAccessService.othersNamed) == true)
            #expect((reply.json["feedback"] as? [[String: Any]])?.count == 1)
            #expect((reply.json["itemsToReview"] as? Int ?? 0) >= 1)
            // Nothing of Cy's own record is in it.
            #expect(!reply.text.contains("allegedPerpetrator") || !reply.text.contains("\"Cy Madeup\""))
            // The readable document, as a download.
            let html = try await t.send(.GET, "/api/v1/parties/\(ada)/subject-access?format=html", token: admin)
            #expect(html.status == .ok && html.headers.contentType?.description.hasPrefix("text/html") == true)
            #expect(html.headers.first(name: .contentDisposition)?.hasPrefix("attachment") == true)
            #expect(html.text.contains("<h1>Personal data held about Ada Placeholder</h1>") && html.text.contains("Review before release"))
            // Only admins; each export audited; the command line gives the same document.
            #expect(try await t.send(.GET, "/api/v1/parties/\(ada)/subject-access", token: leader.token).status == .forbidden)
            let printed = try await t.command(["sar", "--party", ada]).joined(separator: "\n")
            #expect(printed.contains("\"Ada Placeholder\""))
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "party.subjectAccess").count() == 3)
            await #expect(throws: (any Error).self) { try await t.command(["sar", "--party", "nobody"]) }
        }
    }

    @Test("GET /audit?party= holds the reads of every case the person is on, however many: 1,200 more cases, each read once")
    func everyCaseRead() async throws {
        try await TestApp.run { t in
            let (reference, ada, leader) = try await Self.build(t)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token).status == .ok)
            let db = t.app.db, sql = try db.sql, many = 1_200
            let caseID = try #require(try await ASBCase.query(on: db).filter(\.$reference == reference).first()?.requireID())
            let read = try #require(try await AuditEvent.query(on: db).filter(\.$action == "case.read").first()?.requireID())
            let readsBefore = try await AuditEvent.query(on: db).filter(\.$action == "case.read").count()
            // Copies of the case, Ada the reporter on each and each read once, written straight to
            // the tables (ids made from the copy's number; SQLite keeps ids as text).
            let postgres = sql.dialect.name == "postgresql"
            func id(_ kind: Int) -> SQLQueryString {
                postgres ? "('0000000\(unsafeRaw: String(kind))-0000-4000-8000-' || lpad(n.i::text, 12, '0'))::uuid"
                    : "printf('0000000\(unsafeRaw: String(kind))-0000-4000-8000-%012d', n.i)"
            }
            func copy(_ table: String, of source: UUID, replacing: [String: SQLQueryString]) async throws {
                let columns = try #require(try await sql.raw("SELECT * FROM \(ident: table) WHERE id = \(bind: source)").first()).allColumns
                let values = columns.map { replacing[$0] ?? "s.\(ident: $0)" }
                try await sql.raw("""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(literal: many))
                    INSERT INTO \(ident: table) (\(columns.map { "\(ident: $0)" as SQLQueryString }.joined(separator: ", ")))
                    SELECT \(values.joined(separator: ", ")) FROM \(ident: table) s, n WHERE s.id = \(bind: source)
                    """).run()
            }
            let referenceText: SQLQueryString = postgres ? "'ASB-COPY-' || n.i::text" : "'ASB-COPY-' || n.i"
            try await copy("cases", of: caseID, replacing: ["id": id(1), "reference": referenceText, "reference_number": "100000 + n.i"])
            let link = try #require(try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$role == .reporter).first()?.requireID())
            try await copy("case_parties", of: link, replacing: ["id": id(2), "case_id": id(1)])
            try await copy("audit_events", of: read, replacing: ["id": id(3), "case_id": id(1), "entity_id": postgres ? "\(id(1))::text" : id(1)])
            #expect(try await CaseParty.query(on: db).filter(\.$party.$id == UUID(uuidString: ada)!).count() == many + 1)

            let trail = try await t.allPages("/api/v1/audit?party=\(ada)&limit=100", token: leader.token, max: 10 * many)
            let reads = trail.filter { $0["action"] as? String == "case.read" }
            #expect(reads.count == many + readsBefore && readsBefore >= 1)
        }
    }

    @Test("A person's trail reads by index on both databases: the entries about them and those of their cases, never every entry")
    func trailQueryPlan() async throws {
        try await TestApp.run { t in
            let db = t.app.db
            let query: SQLQueryString = "SELECT id FROM audit_events WHERE \(try PartyService.trail(of: UUID(), on: db)) ORDER BY at, id LIMIT 26"
            if try db.sql.dialect.name == "postgresql" {
                // The tables are small here: told to avoid a full scan wherever an index can serve,
                // PostgreSQL still scans a table no index serves (as it did for `IN (subquery)`).
                let plan = try await db.transaction { db in
                    try await db.sql.raw("SET LOCAL enable_seqscan = off").run()
                    return try await db.sql.raw("EXPLAIN \(query)").all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }
                }
                #expect(plan.contains { $0.contains("audit_events_case_idx") } && plan.contains { $0.contains("audit_events_entity_idx") }, "\(plan)")
                #expect(!plan.contains { $0.contains("Seq Scan on audit_events") || $0.contains("hashed SubPlan") }, "\(plan)")
            } else {
                let plan = try await db.sql.raw("EXPLAIN QUERY PLAN \(query)").all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.contains("audit_events_case_idx (case_id=?)") }, "\(plan)")
                #expect(plan.contains { $0.contains("case_parties_party_idx (party_id=?)") }, "\(plan)")
                #expect(!plan.contains { $0.hasPrefix("SCAN audit_events") }, "\(plan)")
            }
        }
    }

    @Test("GET /audit?party= answers who has looked at this person's records: reads of the person, searches listing them, reads of their cases")
    func whoLooked() async throws {
        try await TestApp.run { t in
            let (reference, ada, leader) = try await Self.build(t)
            let (officer, officerUser) = try await t.staffToken(.officer)
            _ = try await t.allocate(reference, to: officerUser, token: leader.token)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)", token: officer).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/parties/\(ada)", token: officer).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/parties?q=Ada", token: officer).status == .ok)
            let reply = try await t.send(.GET, "/api/v1/audit?party=\(ada)&limit=100", token: leader.token)
            #expect(reply.status == .ok)
            let items = try #require(reply.json["items"] as? [[String: Any]])
            let byOfficer = items.filter { ($0["actor"] as? [String: Any])?["id"] as? String == officerUser.id?.uuidString }
            #expect(Set(byOfficer.compactMap { $0["action"] as? String }) == ["case.read", "party.read", "party.search"])
            // Pages of one reach the end: each page's own read is after the pages' end.
            let paged = try await t.allPages("/api/v1/audit?party=\(ada)&limit=1", token: leader.token, max: 200)
                .compactMap { $0["id"] as? String }
            #expect(paged == items.compactMap { $0["id"] as? String } + paged.suffix(1) && paged.count == items.count + 1)
            #expect(try await t.send(.GET, "/api/v1/audit?party=\(ada)", token: officer).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/audit?party=not-an-id", token: leader.token).status == .badRequest)
            #expect(try await t.send(.GET, "/api/v1/audit?party=\(UUID())", token: leader.token).status == .notFound)
        }
    }
}
