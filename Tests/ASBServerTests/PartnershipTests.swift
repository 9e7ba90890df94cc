@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Partner agencies, referrals and the lead agency (SS-PRG-3, SS-REP-3)")
struct PartnershipTests {
    @Test("The directory is seeded with the usual partners; an admin adds local ones")
    func directory() async throws {
        try await TestApp.run { t in
            let officer = try await t.staffToken(.officer)
            let list = try await t.send(.GET, "/api/v1/partner-agencies", token: officer.token)
            let names = ((try? JSONSerialization.jsonObject(with: list.body)) as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.count == 9)
            for expected in ["Police", "Environmental Health (noise)", "Adult Social Care", "Children's Services", "Mental Health Services",
                             "Community Safety Partnership", "Victim Support", "Mediation Service", "Fire and Rescue"] {
                #expect(names.contains(expected), "\(expected)")
            }
            let admin = try await t.staffToken(.admin)
            let added = try await t.send(.POST, "/api/v1/partner-agencies",
                                         json: ["name": "Southend Street Pastors", "kind": "other", "email": "team@example.org"], token: admin.token)
            #expect(added.status == .created)
            #expect(try await t.send(.POST, "/api/v1/partner-agencies", json: ["name": "Police", "kind": "police"],
                                     token: admin.token).status == .conflict)
            #expect(try await t.send(.POST, "/api/v1/partner-agencies", json: ["name": "X", "kind": "other"],
                                     token: officer.token).status == .forbidden)

            // An admin renames and deactivates; a deactivated agency takes no new referral.
            let id = try #require(added.string("id"))
            let renamed = try await t.send(.PATCH, "/api/v1/partner-agencies/\(id)", json: ["name": "Street Pastors (Southend)", "active": false],
                                           token: admin.token)
            #expect(renamed.json["name"] as? String == "Street Pastors (Southend)" && renamed.json["active"] as? Bool == false)
            #expect(try await t.send(.PATCH, "/api/v1/partner-agencies/\(id)", json: ["name": "Police"], token: admin.token).status == .conflict)
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let refused = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": id, "reason": "Outreach", "consentGiven": true, "sharedFields": ["caseSummary"],
            ], token: leader.token)
            #expect(refused.fieldErrors == ["agencyId"])
        }
    }

    @Test("SS-PRG-3: a referral needs a reason, consent or a lawful basis, and shares at least the case summary")
    func referralValidation() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let bad = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": UUID().uuidString, "reason": " ", "consentGiven": false, "sharedFields": ["incidents"],
            ], token: leader.token)
            #expect(Set(bad.fieldErrors) == ["agencyId", "reason", "lawfulBasisWithoutConsent", "sharedFields"])
            let noConsent = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Police"), "reason": "Drug dealing from the flat", "consentGiven": false,
                "lawfulBasisWithoutConsent": "Crime and Disorder Act 1998 s.115: prevention of crime", "sharedFields": ["caseSummary"],
            ], token: leader.token)
            #expect(noConsent.status == .created, "\(noConsent.text)")
            #expect(noConsent.json["status"] as? String == "sent")
        }
    }

    @Test("A partner sees only cases referred to its agency, and only what the referral shares")
    func fieldLevelSharing() async throws {
        try await TestApp.run { t in
            let secret = "Descr-ZQX-secret"
            let reference = try #require(try await t.submitReport(["description": secret,
                                                                    "allegedPerpetrator": ["name": "Quentin Nonesuch", "address": "9 Example Road"]])
                .string("reference"))
            let other = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let envHealth = try await t.staffToken(.partner, username: "eho.user", agency: "Environmental Health (noise)")
            let police = try await t.staffToken(.partner, username: "police.user", agency: "Police")

            // Nothing before a referral.
            #expect(((try await t.send(.GET, "/api/v1/cases", token: envHealth.token)).json["items"] as? [Any])?.isEmpty == true)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)", token: envHealth.token).status == .notFound)

            let referral = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Environmental Health (noise)"), "reason": "Noise nuisance: statutory nuisance assessment",
                "consentGiven": true, "sharedFields": ["caseSummary", "reporterContact"],
            ], token: leader.token)
            #expect(referral.status == .created)

            let list = try await t.send(.GET, "/api/v1/cases", token: envHealth.token)
            #expect((list.json["items"] as? [[String: Any]])?.compactMap { $0["reference"] as? String } == [reference])
            let seen = try await t.send(.GET, "/api/v1/cases/\(reference)", token: envHealth.token)
            #expect(seen.status == .ok)
            let roles = (seen.json["parties"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }
            #expect(roles == ["reporter"], "The perpetrator is not shared")
            #expect((seen.json["incidents"] as? [Any])?.isEmpty == true)
            #expect(seen.json["priority"] == nil && (seen.json["deadlines"] as? [Any])?.isEmpty == true)
            #expect(!seen.text.contains(secret) && !seen.text.contains("Quentin"))
            #expect(seen.json["visibleFields"] as? [String] == ["caseSummary", "reporterContact"])

            // Nothing else: not the other case, not the timeline, the assessments, the parties, nor another agency.
            #expect(try await t.send(.GET, "/api/v1/cases/\(other)", token: envHealth.token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: envHealth.token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/assessments", token: envHealth.token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/parties?q=ca", token: envHealth.token).status == .forbidden)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)", token: police.token).status == .notFound)

            // A second referral sharing incidents widens what the same agency sees.
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Environmental Health (noise)"), "reason": "Noise diary", "consentGiven": true,
                "sharedFields": ["caseSummary", "incidents"],
            ], token: leader.token)
            let wider = try await t.send(.GET, "/api/v1/cases/\(reference)", token: envHealth.token)
            #expect(wider.text.contains(secret))
            #expect(!wider.text.contains("Quentin"))
        }
    }

    @Test("A partner with a referral sharing only the case summary reads nothing else through any endpoint or page")
    func nothingElseAnywhere() async throws {
        try await TestApp.run { t in
            let secret = "Descr-PLW-secret"
            let reference = try #require(try await t.submitReport([
                "description": secret, "reporter": ["name": "Rowan Hiddenname", "email": "rowan.hidden@example.org"],
                "allegedPerpetrator": ["name": "Quentin Nonesuch", "address": "9 Example Road"],
            ]).string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let partner = try await t.staffToken(.partner, username: "eho.only", agency: "Environmental Health (noise)")
            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Environmental Health (noise)"), "reason": "Noise assessment",
                "consentGiven": true, "sharedFields": ["caseSummary"],
            ], token: leader.token).status == .created)
            let partyID = try await t.partyID("reporter", on: reference, token: leader.token)
            let endpoints = RoleMatrixTests.endpoints(reference: reference, userID: leader.user.id!.uuidString, partyID: partyID,
                                                      agencyID: try await t.agencyID("Police"))
            for endpoint in endpoints where endpoint.method == .GET {
                let reply = try await t.send(.GET, endpoint.path, token: partner.token)
                for hidden in [secret, "Hiddenname", "rowan.hidden", "Quentin", "9 Example Road"] {
                    #expect(!reply.text.contains(hidden), "\(endpoint.name) shows \(hidden) to a partner")
                }
            }
            let web = WebClient(t.app)
            try await web.signIn("eho.only", password: "correct-horse-eho.only")
            for page in ["/staff", "/staff/cases/\(reference)", "/staff/search?q=Ro", "/staff/letters", "/staff/feedback"] {
                let reply = try await web.get(page)
                for hidden in [secret, "Hiddenname", "rowan.hidden", "Quentin"] {
                    #expect(!reply.html.contains(hidden), "\(page) shows \(hidden) to a partner")
                }
            }
            #expect(try await web.get("/staff/cases/\(reference)").status == .ok)
        }
    }

    @Test("A partner accepts or declines its referral and adds updates; the landlord closes it; access ends with it")
    func referralLifecycle() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let eho = try await t.staffToken(.partner, username: "eho.two", agency: "Environmental Health (noise)")
            let police = try await t.staffToken(.partner, username: "police.two", agency: "Police")
            let created = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": try await t.agencyID("Environmental Health (noise)"), "reason": "Noise", "consentGiven": true,
                "sharedFields": ["caseSummary"],
            ], token: leader.token)
            let id = try #require(created.string("id"))
            let path = "/api/v1/cases/\(reference)/referrals/\(id)/updates"

            #expect(try await t.send(.POST, path, json: ["text": "Not ours", "status": "declined"], token: police.token).status == .notFound)
            #expect(try await t.send(.POST, path, json: ["text": "Accepting", "status": "accepted"], token: leader.token).status == .forbidden,
                    "Only the agency accepts")
            let accepted = try await t.send(.POST, path, json: ["text": "Accepted; officer visiting on Friday.", "status": "accepted"],
                                            token: eho.token)
            #expect(accepted.status == .created, "\(accepted.text)")
            #expect(accepted.json["status"] as? String == "accepted")
            let noted = try await t.send(.POST, path, json: ["text": "Noise monitoring equipment installed."], token: eho.token)
            #expect((noted.json["updates"] as? [Any])?.count == 2)
            let backwards = try await t.send(.POST, path, json: ["text": "Back to sent", "status": "sent"], token: eho.token)
            #expect(backwards.status == .conflict)
            #expect(backwards.json["clause"] as? String == "SS-PRG-3")
            let empty = try await t.send(.POST, path, json: ["text": "  "], token: eho.token)
            #expect(empty.fieldErrors == ["text"])

            let mine = try await t.send(.GET, "/api/v1/cases/\(reference)/referrals", token: eho.token)
            #expect(((try? JSONSerialization.jsonObject(with: mine.body)) as? [Any])?.count == 1)
            let closed = try await t.send(.POST, path, json: ["text": "Resolved by abatement notice.", "status": "closed"], token: leader.token)
            #expect(closed.json["status"] as? String == "closed")
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)", token: eho.token).status == .notFound,
                    "A closed referral no longer opens the case to the agency")
            let timeline = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: leader.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "referralUpdated" }.count == 3 && kinds.contains("referred"))
        }
    }

    @Test("SS-PRG-3: the case records its lead agency and the history of that decision")
    func leadAgency() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let set = try await t.send(.PUT, "/api/v1/cases/\(reference)/lead-agency", json: [
                "agencyId": try await t.agencyID("Environmental Health (noise)"), "reason": "Statutory noise nuisance powers lie with the council",
            ], token: leader.token)
            #expect(set.status == .ok, "\(set.text)")
            #expect((set.json["leadAgency"] as? [String: Any])?["name"] as? String == "Environmental Health (noise)")
            let back = try await t.send(.PUT, "/api/v1/cases/\(reference)/lead-agency", json: ["reason": "Noise has stopped; tenancy issues remain"],
                                        token: leader.token)
            #expect(back.json["leadAgency"] == nil)
            let history = back.json["leadAgencyHistory"] as? [[String: Any]] ?? []
            #expect(history.count == 2)
            #expect(history.first?["agency"] == nil && (history.last?["agency"] as? [String: Any])?["name"] as? String == "Environmental Health (noise)")
            let noReason = try await t.send(.PUT, "/api/v1/cases/\(reference)/lead-agency", json: ["reason": ""], token: leader.token)
            #expect(noReason.fieldErrors == ["reason"])
        }
    }
}
