@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("The audit trail")
struct AuditTrailTests {
    @Test("Creates, staff reads, changes, transitions, sign-ins and failed sign-ins are all audited, oldest first")
    func everythingIsAudited() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader, username: "audit.leader")
            let officer = try await t.staffToken(.officer, username: "audit.officer")
            _ = try await t.send(.POST, "/api/v1/sessions", json: ["username": "audit.officer", "password": "nope-nope-nope"])
            _ = try await t.send(.GET, "/api/v1/cases/\(reference)", token: officer.token)
            _ = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["allocatedOfficerId": officer.user.id!.uuidString],
                                 token: leader.token, headers: [("If-Match", "1")])

            let reply = try await t.send(.GET, "/api/v1/cases/\(reference)/audit", token: leader.token)
            #expect(reply.status == .ok)
            let items = reply.json["items"] as? [[String: Any]] ?? []
            #expect(items.compactMap { $0["action"] as? String } == ["case.create", "case.read", "case.update"])
            try #require(items.count == 3)
            #expect(items[0]["actorLabel"] as? String == "public")
            #expect((items[1]["actor"] as? [String: Any])?["displayName"] as? String == officer.user.displayName)
            #expect((items[2]["changes"] as? [String: String])?["allocatedOfficerId"] == officer.user.id!.uuidString)
            #expect(items.allSatisfy { ($0["requestId"] as? String)?.isEmpty == false })

            let sessions = try await AuditEvent.query(on: t.app.db).filter(\.$entityType == "user").all().map(\.action)
            #expect(sessions.contains("session.login"))
            #expect(sessions.contains("session.loginFailed"))
            #expect(sessions.contains("user.create"))
        }
    }

    @Test("A staff case page is one audited read (case.read); the API's timeline is a read of its own")
    func casePageIsOneRead() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let (token, leader) = try await t.staffToken(.teamLeader)
            let web = WebClient(t.app)
            try await web.signIn(leader.username, password: "correct-horse-\(leader.username)")
            func reads() async throws -> [String] {
                try await AuditEvent.query(on: t.app.db).filter(\.$actor.$id == leader.id).sort(\.$at).all().map(\.action)
            }
            let before = try await reads()
            #expect(try await web.get("/staff/cases/\(reference)").status == .ok)
            #expect(Array(try await reads().dropFirst(before.count)) == ["case.read"])
            _ = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: token)
            #expect(Array(try await reads().dropFirst(before.count)) == ["case.read", "case.timeline.read"])
        }
    }

    @Test("Audit entries carry no free text about people: names, contact details and descriptions stay in the records")
    func noPersonalDataInAudit() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport(["description": "Secret detail ZQX"]).json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            _ = try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token)
            let all = try await AuditEvent.query(on: t.app.db).all()
            for event in all {
                #expect(!event.changes.contains("ZQX") && !event.changes.contains("example.org") && !event.changes.contains("Example Road"))
            }
        }
    }

    @Test("The audit trail pages by cursor and reading it is itself audited; the pages hold what was written before the first")
    func paging() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            for _ in 0..<4 { _ = try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token) }
            let first = try await t.send(.GET, "/api/v1/cases/\(reference)/audit?limit=3", token: leader.token)
            #expect((first.json["items"] as? [Any])?.count == 3)
            let cursor = try #require(first.json["nextCursor"] as? String)
            let second = try await t.send(.GET, "/api/v1/cases/\(reference)/audit?limit=3&cursor=\(cursor)", token: leader.token)
            let actions = (second.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            // The first page's own read is after the pages' end: the next first page shows it.
            #expect(actions == ["case.read", "case.read"] && second.json["nextCursor"] == nil)
            let again = try await t.send(.GET, "/api/v1/cases/\(reference)/audit?limit=100", token: leader.token)
            let all = (again.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(all.suffix(2) == ["case.audit.read", "case.audit.read"] && all.count == 5 + 2)
            // Pages of one reach the end though each page's read adds an entry to the trail.
            let seen = try await t.allPages("/api/v1/cases/\(reference)/audit?limit=1", token: leader.token, max: 50)
                .compactMap { $0["action"] as? String }
            #expect(seen == all + ["case.audit.read"])
        }
    }
}
