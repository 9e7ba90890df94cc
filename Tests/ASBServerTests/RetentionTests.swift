@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Retention and legal holds")
struct RetentionTests {
    static func at(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    /// X and Z closed in May 2020; Y, still open, has X's reporter as a victim. Z is under a legal hold.
    static func build(_ t: TestApp) async throws -> (x: String, y: String, z: String) {
        t.clock.set(at("2020-05-04T09:00:00Z"))
        _ = try await t.staffToken(.teamLeader, username: "leader.keep")
        func token() async throws -> String { try await t.signIn("leader.keep") }
        let ada: [String: Any] = ["name": "Ada Placeholder", "email": "ada@example.org", "phone": "01632 960 111",
                                  "address": "1 Example Road, Southend-on-Sea", "postcode": "SS2 6FY", "preferredContactMethod": "email"]
        func report(_ reporter: [String: Any], _ description: String) async throws -> String {
            try #require(try await t.submitReport(["occurredOn": "2020-05-03", "reporter": reporter, "description": description]).string("reference"))
        }
        func close(_ reference: String) async throws {
            let leader = try #require(try await User.query(on: t.app.db).filter(\.$username == "leader.keep").first())
            _ = try await t.assess(reference, token: try await token())
            _ = try await t.allocate(reference, to: leader, token: try await token())
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-proposals", json: ["reason": "resolved", "explanation": "Ada Placeholder agreed it stopped."], token: try await token())
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/closure-contacts", json: ["method": "phone", "outcome": "agreed"], token: try await token())
            let closed = try await t.send(.POST, "/api/v1/cases/\(reference)/closure", token: try await token())
            #expect(closed.status == .ok, "\(closed.text)")
        }
        let x = try await report(ada, "Ada Placeholder hears shouting from number 3 every night; call her on 01632 960 111.")
        let cy = try await t.send(.POST, "/api/v1/cases/\(x)/parties", json: ["role": "allegedPerpetrator", "party": ["name": "Cy Madeup", "address": "3 Example Road"]],
                                  token: try await token())
        #expect(cy.status == .created, "\(cy.text)")
        let z = try await report(Fixtures.person(7), "Music late at night.")
        try await close(x)
        try await close(z)
        let hold = try await t.send(.PUT, "/api/v1/cases/\(z)/legal-hold", json: ["reason": "Possession claim in the county court"], token: try await token())
        #expect(hold.status == .ok && hold.json["held"] as? Bool == true)
        t.clock.set(at("2020-06-01T09:00:00Z"))
        let y = try await report(Fixtures.person(9), "Shouting again.")
        let adaID = try await t.partyID("reporter", on: x, token: try await token())
        #expect(try await t.send(.POST, "/api/v1/cases/\(y)/parties", json: ["role": "victim", "partyId": adaID], token: try await token()).status == .created)
        return (x, y, z)
    }

    @Test("A case closed six years ago is anonymised (names out of its text, places and files gone); people on an open case and held cases are kept; the figures do not change")
    func anonymise() async throws {
        try await TestApp.run { t in
            let (x, y, z) = try await Self.build(t)
            t.clock.set(tuesdayMorning)
            let before = try await StatisticsService.figures(year: "2020/21", app: t.app, db: t.app.db, now: t.clock.now)

            let dry = try await t.command(["retention", "--dry-run"])
            #expect(dry.first == "Would anonymise 1 case closed 6 or more years before 2026-11-24, and 1 person on them; 1 kept for another case.")
            #expect(dry.contains("case\t\(x)") && dry.contains("held\t\(z)"))
            #expect(try await ASBCase.query(on: t.app.db).filter(\.$anonymisedAt != nil).count() == 0, "a dry run changes nothing")

            let report = try await RetentionService(app: t.app, db: t.app.db, requestID: nil).run(dryRun: false)
            #expect(report.cases == [x] && report.parties == 1 && report.partiesKept == 1 && report.held == [z])
            let stored = try #require(try await ASBCase.query(on: t.app.db).filter(\.$reference == x).first())
            #expect(stored.anonymisedAt != nil && stored.location == nil && stored.postcode == nil && stored.status == .closed)
            let incident = try #require(try await IncidentReport.query(on: t.app.db).filter(\.$asbCase.$id == stored.requireID()).first())
            #expect(incident.description == "[name] hears shouting from number 3 every night; call her on [contact].")
            #expect(incident.location == nil)
            let proposal = try #require(try await ClosureProposal.query(on: t.app.db).filter(\.$asbCase.$id == stored.requireID()).first())
            #expect(proposal.explanation == "[name] agreed it stopped.")
            // Cy was only on X: gone. Ada is on open case Y: kept until Y's period ends.
            let cy = try #require(try await Party.query(on: t.app.db).filter(\.$anonymisedAt != nil).first())
            #expect(cy.name == nil && cy.address == nil && cy.supportNeeds.isEmpty)
            #expect(try await Party.query(on: t.app.db).filter(\.$name == "Ada Placeholder").count() == 1)
            // The held case and the open case are untouched.
            for reference in [y, z] {
                #expect(try await ASBCase.query(on: t.app.db).filter(\.$reference == reference).first()?.anonymisedAt == nil)
            }
            let after = try await StatisticsService.figures(year: "2020/21", app: t.app, db: t.app.db, now: t.clock.now)
            #expect(after == before)
            // The timeline and the audit trail say what happened; a second run finds nothing new.
            #expect(try await CaseEvent.query(on: t.app.db).filter(\.$kind == .anonymised).count() == 1)
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "party.anonymised").count() == 1)
            let again = try await RetentionService(app: t.app, db: t.app.db, requestID: nil).run(dryRun: false)
            #expect(again.cases.isEmpty && again.held == [z])
            #expect(try await t.send(.PUT, "/api/v1/cases/\(x)/legal-hold", json: ["reason": "Too late"], token: try await t.signIn("leader.keep")).status == .conflict)
        }
    }

    @Test("A legal hold needs a reason and a team leader or admin; lifting it lets retention run")
    func legalHold() async throws {
        try await TestApp.run { t in
            let (_, _, z) = try await Self.build(t)
            t.clock.set(tuesdayMorning)
            let leader = try await t.signIn("leader.keep")
            let (officer, _) = try await t.staffToken(.officer)
            #expect(try await t.send(.PUT, "/api/v1/cases/\(z)/legal-hold", json: ["reason": "  "], token: leader).status == .unprocessableEntity)
            #expect(try await t.send(.DELETE, "/api/v1/cases/\(z)/legal-hold", token: officer).status == .forbidden)
            #expect(try await t.send(.DELETE, "/api/v1/cases/\(z)/legal-hold", token: leader).status == .ok)
            // The case page places and lifts it too.
            let web = WebClient(t.app)
            try await web.signIn("leader.keep", password: "correct-horse-leader.keep")
            #expect(try await web.get("/staff/cases/\(z)").contains("Place a legal hold"))
            #expect(try await web.post("/staff/cases/\(z)/legal-hold", [("reason", "")]).status == .unprocessableEntity)
            try await web.get("/staff/cases/\(z)")
            #expect(try await web.post("/staff/cases/\(z)/legal-hold", [("reason", "Ombudsman enquiry")]).status == .seeOther)
            let page = try await web.get("/staff/cases/\(z)")
            #expect(page.contains("Ombudsman enquiry") && page.contains("Lift the legal hold"))
            #expect(try await web.post("/staff/cases/\(z)/legal-hold", []).status == .seeOther)
            let report = try await RetentionService(app: t.app, db: t.app.db, requestID: nil).run(dryRun: false)
            #expect(report.cases.count == 2 && report.held.isEmpty)
        }
    }
}
