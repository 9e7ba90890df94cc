@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Community notices of positive activity (SS-PRG-6)")
struct NoticeTests {
    @Test("SS-PRG-6: an officer drafts, a team leader approves, and the neighbourhood sees it; names, references and addresses are refused")
    func draftApprovePublish() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin)
            let area = try await t.send(.POST, "/api/v1/neighbourhoods", json: ["name": "Example Ward"], token: admin.token)
            let areaID = try #require(area.string("id"))
            var reporter = Fixtures.person(4)
            reporter["name"] = "Robin Nonesuch"
            reporter["address"] = "14 Lantern Close, Southend-on-Sea"
            let reference = try #require(try await t.submitReport(["reporter": reporter]).string("reference"))
            let officer = try await t.staffToken(.officer)
            let leader = try await t.staffToken(.teamLeader)

            func draft(_ text: String, title: String = "Positive action in your area") async throws -> TestApp.Reply {
                try await t.send(.POST, "/api/v1/community-notices",
                                 json: ["neighbourhoodId": areaID, "caseReference": reference, "title": title, "text": text], token: officer.token)
            }
            #expect(try await draft("Thanks to Robin Nonesuch's reports, action was taken.").fieldErrors == ["text"])
            #expect(try await draft("A warning was served at 14 Lantern Close.").fieldErrors == ["text"])
            #expect(try await draft("Action on case \(reference) is complete.").fieldErrors == ["text"])
            #expect(try await draft("New lighting near SS2 6FY.").fieldErrors == ["text"])
            #expect(try await draft("Fine text", title: "Nonesuch case").fieldErrors == ["title"])

            let clean = try await draft("New lighting has been installed on the estate after residents' reports.")
            #expect(clean.status == .created, "\(clean.text)")
            let id = try #require(clean.string("id"))
            #expect(((try? JSONSerialization.jsonObject(with: try await t.send(.GET, "/api/v1/public/neighbourhoods/\(areaID)/notices").body))
                     as? [Any])?.isEmpty == true, "Drafts are not public")
            #expect(try await t.send(.POST, "/api/v1/community-notices/\(id)/approval", token: officer.token).status == .forbidden)
            #expect(try await t.send(.POST, "/api/v1/community-notices/\(id)/approval", token: leader.token).status == .created)
            #expect(try await t.send(.POST, "/api/v1/community-notices/\(id)/approval", token: leader.token).status == .conflict)
            let published = try await t.send(.GET, "/api/v1/public/neighbourhoods/\(areaID)/notices")
            let notices = (try? JSONSerialization.jsonObject(with: published.body)) as? [[String: Any]] ?? []
            #expect(notices.first?["title"] as? String == "Positive action in your area")
            #expect(notices.first?["neighbourhood"] as? String == "Example Ward")
            #expect(try await t.send(.GET, "/api/v1/public/neighbourhoods/\(UUID())/notices").status == .notFound)
        }
    }
}
