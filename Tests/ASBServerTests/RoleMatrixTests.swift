@testable import ASBServer
import ASBCore
import Foundation
import Testing
import Fluent
import NIOCore
import Vapor

/// Walks every endpoint with every role (and with no token), checking the status each gets.
@Suite("Roles on every endpoint")
struct RoleMatrixTests {
    enum Caller: String, CaseIterable, CustomStringConvertible {
        case anonymous, intake, officer, teamLeader, partner, analyst, admin
        var role: Role? { Role(rawValue: rawValue) }
        var description: String { rawValue }
    }

    struct Endpoint: CustomStringConvertible {
        let name: String
        let method: HTTPMethod
        let path: String
        let body: [String: Any]?
        var headers: [(String, String)] = []
        /// What each caller gets; anything allowed is a 2xx.
        let expect: [Caller: HTTPStatus]
        var description: String { name }
    }

    static let allowed = HTTPStatus.ok

    /// The matrix. `ok` stands for "allowed" (any 2xx); the fixture resets between rows.
    static func endpoints(reference: String, userID: String, partyID: String = UUID().uuidString,
                          agencyID: String = UUID().uuidString) -> [Endpoint] {
        let staff: [Caller: HTTPStatus] = [.anonymous: .unauthorized]
        func table(_ allowedRoles: Set<Caller>, deniedWith denied: HTTPStatus = .forbidden) -> [Caller: HTTPStatus] {
            var result = staff
            for caller in Caller.allCases where caller != .anonymous {
                result[caller] = allowedRoles.contains(caller) ? allowed : denied
            }
            return result
        }
        let everyone = Set(Caller.allCases).subtracting([.anonymous])
        return [
            Endpoint(name: "GET /users/me", method: .GET, path: "/api/v1/users/me", body: nil, expect: table(everyone)),
            Endpoint(name: "GET /users", method: .GET, path: "/api/v1/users", body: nil, expect: table([.admin])),
            Endpoint(name: "POST /users", method: .POST, path: "/api/v1/users",
                     body: ["username": "new.user", "displayName": "New", "role": "officer", "password": "long-enough-password"],
                     expect: table([.admin])),
            Endpoint(name: "GET /users/{id}", method: .GET, path: "/api/v1/users/\(userID)", body: nil, expect: table([.admin])),
            Endpoint(name: "PATCH /users/{id}", method: .PATCH, path: "/api/v1/users/\(userID)", body: ["displayName": "Renamed"],
                     expect: table([.admin])),
            Endpoint(name: "POST /reports (staff channel)", method: .POST, path: "/api/v1/reports",
                     body: Fixtures.webReport(seed: 5).merging(["channel": "letter"]) { $1 },
                     expect: table([.intake, .officer, .teamLeader])),
            Endpoint(name: "POST /reports (web)", method: .POST, path: "/api/v1/reports", body: Fixtures.webReport(seed: 6),
                     expect: table([.intake, .officer, .teamLeader]).merging([.anonymous: allowed]) { $1 }),
            Endpoint(name: "GET /cases", method: .GET, path: "/api/v1/cases", body: nil,
                     expect: table([.intake, .officer, .teamLeader, .partner])),
            // A partner may not see a case not referred to its agency: the same 404 as a missing case.
            Endpoint(name: "GET /cases/{ref}", method: .GET, path: "/api/v1/cases/\(reference)", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "PATCH /cases/{ref}", method: .PATCH, path: "/api/v1/cases/\(reference)", body: ["categories": ["noise"]],
                     headers: [("If-Match", "\"1\"")],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "POST /cases/{ref}/incidents", method: .POST, path: "/api/v1/cases/\(reference)/incidents",
                     body: ["channel": "phone", "description": "Again tonight."],
                     expect: table([.intake, .officer, .teamLeader])),
            Endpoint(name: "GET /cases/{ref}/timeline", method: .GET, path: "/api/v1/cases/\(reference)/timeline", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "GET /cases/{ref}/audit", method: .GET, path: "/api/v1/cases/\(reference)/audit", body: nil,
                     expect: table([.teamLeader, .admin])),
            Endpoint(name: "GET /neighbourhoods", method: .GET, path: "/api/v1/neighbourhoods", body: nil, expect: table(everyone)),
            Endpoint(name: "POST /neighbourhoods", method: .POST, path: "/api/v1/neighbourhoods", body: ["name": "Matrix Example"],
                     expect: table([.admin])),
            Endpoint(name: "GET /properties", method: .GET, path: "/api/v1/properties?postcode=SS1%201AA", body: nil,
                     expect: table([.intake, .officer, .teamLeader, .admin])),
            Endpoint(name: "POST /properties", method: .POST, path: "/api/v1/properties",
                     body: ["addressLine": "1 Matrix Road", "postcode": "SS1 1AA"], expect: table([.admin])),
            Endpoint(name: "GET /calendar/overrides", method: .GET, path: "/api/v1/calendar/overrides", body: nil,
                     expect: table([.admin])),
            Endpoint(name: "POST /calendar/overrides", method: .POST, path: "/api/v1/calendar/overrides",
                     body: ["kind": "closureDay", "date": "2027-03-03", "name": "Office closed"], expect: table([.admin])),
            Endpoint(name: "DELETE /calendar/overrides/{id}", method: .DELETE, path: "/api/v1/calendar/overrides/\(UUID())",
                     body: nil, expect: table([]).merging([.admin: .notFound]) { $1 }),
            Endpoint(name: "GET /cases/{ref}/assessments", method: .GET, path: "/api/v1/cases/\(reference)/assessments", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/assessments", method: .POST, path: "/api/v1/cases/\(reference)/assessments",
                     body: ["answers": ["frequency": "weekly"]], expect: table([.officer, .teamLeader])),
            Endpoint(name: "POST /cases/{ref}/milestones", method: .POST, path: "/api/v1/cases/\(reference)/milestones",
                     body: ["milestone": "response"], expect: table([.officer, .teamLeader]).merging([.intake: .forbidden]) { $1 }),
            Endpoint(name: "GET /queues/{name}", method: .GET, path: "/api/v1/queues/overdue", body: nil,
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "GET /parties", method: .GET, path: "/api/v1/parties?q=al", body: nil,
                     expect: table([.intake, .officer, .teamLeader])),
            Endpoint(name: "GET /parties/{id}", method: .GET, path: "/api/v1/parties/\(partyID)", body: nil,
                     expect: table([.intake, .officer, .teamLeader])),
            Endpoint(name: "PATCH /parties/{id}", method: .PATCH, path: "/api/v1/parties/\(partyID)", body: ["language": "Welsh"],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "POST /cases/{ref}/parties", method: .POST, path: "/api/v1/cases/\(reference)/parties",
                     body: ["role": "witness", "party": ["name": "Matrix Witness"]], expect: table([.officer, .teamLeader])),
            Endpoint(name: "GET /partner-agencies", method: .GET, path: "/api/v1/partner-agencies", body: nil, expect: table(everyone)),
            Endpoint(name: "POST /partner-agencies", method: .POST, path: "/api/v1/partner-agencies",
                     body: ["name": "Matrix Agency", "kind": "other"], expect: table([.admin])),
            Endpoint(name: "GET /cases/{ref}/referrals", method: .GET, path: "/api/v1/cases/\(reference)/referrals", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/referrals", method: .POST, path: "/api/v1/cases/\(reference)/referrals",
                     body: ["agencyId": agencyID, "reason": "Matrix", "consentGiven": true, "sharedFields": ["caseSummary"]],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "POST /cases/{ref}/referrals/{id}/updates", method: .POST,
                     path: "/api/v1/cases/\(reference)/referrals/\(UUID())/updates", body: ["text": "Matrix"],
                     expect: table([.intake, .officer, .teamLeader, .partner], deniedWith: .forbidden)
                        .merging([.intake: .notFound, .officer: .notFound, .teamLeader: .notFound, .partner: .notFound]) { $1 }),
            Endpoint(name: "PUT /cases/{ref}/lead-agency", method: .PUT, path: "/api/v1/cases/\(reference)/lead-agency",
                     body: ["reason": "Matrix"], expect: table([.officer, .teamLeader])),
            Endpoint(name: "GET /cases/{ref}/contacts", method: .GET, path: "/api/v1/cases/\(reference)/contacts", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/contacts", method: .POST, path: "/api/v1/cases/\(reference)/contacts",
                     body: ["method": "phone", "direction": "outbound", "summary": "Matrix"], expect: table([.officer, .teamLeader])),
            Endpoint(name: "PUT /cases/{ref}/contact-plans/{partyId}", method: .PUT,
                     path: "/api/v1/cases/\(reference)/contact-plans/\(partyID)", body: ["frequency": "weekly", "method": "phone"],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "GET /cases/{ref}/action-plan", method: .GET, path: "/api/v1/cases/\(reference)/action-plan", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "PUT /cases/{ref}/action-plan", method: .PUT, path: "/api/v1/cases/\(reference)/action-plan",
                     body: ["howAgreed": "phone", "actions": [["what": "Matrix", "owner": "reporter"]]],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "PATCH /cases/{ref}/action-plan/actions/{id}", method: .PATCH,
                     path: "/api/v1/cases/\(reference)/action-plan/actions/\(UUID())", body: ["status": "done"],
                     expect: table([.officer, .teamLeader]).merging([.officer: .notFound, .teamLeader: .notFound]) { $1 }),
            Endpoint(name: "GET /cases/{ref}/enforcement", method: .GET, path: "/api/v1/cases/\(reference)/enforcement", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/enforcement", method: .POST, path: "/api/v1/cases/\(reference)/enforcement",
                     body: ["type": "verbalWarning"], expect: table([.officer, .teamLeader])),
            Endpoint(name: "PATCH /cases/{ref}/enforcement/{id}", method: .PATCH,
                     path: "/api/v1/cases/\(reference)/enforcement/\(UUID())", body: ["status": "completed"],
                     expect: table([.officer, .teamLeader]).merging([.officer: .notFound, .teamLeader: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/witness-evidence", method: .POST, path: "/api/v1/cases/\(reference)/witness-evidence",
                     body: ["kind": "hearsay", "witnessName": "Matrix", "confirmedOn": "2026-11-20", "howConfirmed": "Matrix"],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "POST /cases/{ref}/witness-evidence/{id}/approval", method: .POST,
                     path: "/api/v1/cases/\(reference)/witness-evidence/\(UUID())/approval", body: nil,
                     expect: table([.teamLeader]).merging([.teamLeader: .notFound]) { $1 }),
            Endpoint(name: "GET /cases/{ref}/reviews", method: .GET, path: "/api/v1/cases/\(reference)/reviews", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/reviews", method: .POST, path: "/api/v1/cases/\(reference)/reviews",
                     body: ["scheduledFor": "2026-12-01"], expect: table([.officer, .teamLeader])),
            Endpoint(name: "PUT /cases/{ref}/reviews/{id}", method: .PUT, path: "/api/v1/cases/\(reference)/reviews/\(UUID())",
                     body: ["summary": "Matrix", "attendees": ["Matrix"]],
                     expect: table([.officer, .teamLeader]).merging([.officer: .notFound, .teamLeader: .notFound]) { $1 }),
            Endpoint(name: "GET /cases/{ref}/attachments", method: .GET, path: "/api/v1/cases/\(reference)/attachments", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/attachments", method: .POST,
                     path: "/api/v1/cases/\(reference)/attachments?fileName=matrix.txt", body: nil,
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "GET /cases/{ref}/attachments/{id}", method: .GET,
                     path: "/api/v1/cases/\(reference)/attachments/\(UUID())", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.intake: .notFound, .officer: .notFound,
                                                                              .teamLeader: .notFound, .partner: .notFound]) { $1 }),
            Endpoint(name: "PATCH /partner-agencies/{id}", method: .PATCH, path: "/api/v1/partner-agencies/\(agencyID)",
                     body: ["phone": "01632 960 101"], expect: table([.admin])),
            Endpoint(name: "GET /cases/{ref}/closure", method: .GET, path: "/api/v1/cases/\(reference)/closure", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/closure-proposals", method: .POST, path: "/api/v1/cases/\(reference)/closure-proposals",
                     body: ["reason": "resolved"],
                     // The fixture case is allocated but not assessed, so not yet open: the rule refuses.
                     expect: table([.officer, .teamLeader]).merging([.officer: .conflict, .teamLeader: .conflict]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/closure-contacts", method: .POST, path: "/api/v1/cases/\(reference)/closure-contacts",
                     body: ["method": "letter", "outcome": "sent"],
                     expect: table([.officer, .teamLeader]).merging([.officer: .conflict, .teamLeader: .conflict]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/closure-approval", method: .POST, path: "/api/v1/cases/\(reference)/closure-approval",
                     body: nil, expect: table([.teamLeader]).merging([.teamLeader: .conflict]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/closure", method: .POST, path: "/api/v1/cases/\(reference)/closure", body: nil,
                     expect: table([.officer, .teamLeader]).merging([.officer: .conflict, .teamLeader: .conflict]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/reopening", method: .POST, path: "/api/v1/cases/\(reference)/reopening",
                     body: ["reason": "Matrix"], expect: table([.teamLeader]).merging([.teamLeader: .conflict]) { $1 }),
            Endpoint(name: "GET /community-notices", method: .GET, path: "/api/v1/community-notices", body: nil,
                     expect: table([.intake, .officer, .teamLeader])),
            Endpoint(name: "POST /community-notices", method: .POST, path: "/api/v1/community-notices",
                     body: ["neighbourhoodId": UUID().uuidString, "title": "Matrix", "text": "Matrix"],
                     expect: table([.officer, .teamLeader]).merging([.officer: .unprocessableEntity, .teamLeader: .unprocessableEntity]) { $1 }),
            Endpoint(name: "POST /community-notices/{id}/approval", method: .POST, path: "/api/v1/community-notices/\(UUID())/approval",
                     body: nil, expect: table([.teamLeader]).merging([.teamLeader: .notFound]) { $1 }),
            Endpoint(name: "GET /cases/{ref}/case-review-applications", method: .GET,
                     path: "/api/v1/cases/\(reference)/case-review-applications", body: nil,
                     expect: table([.intake, .officer, .teamLeader]).merging([.partner: .notFound]) { $1 }),
            Endpoint(name: "POST /cases/{ref}/case-review-applications", method: .POST,
                     path: "/api/v1/cases/\(reference)/case-review-applications", body: ["appliedOn": "2026-11-24"],
                     expect: table([.officer, .teamLeader])),
            Endpoint(name: "PATCH /cases/{ref}/case-review-applications/{id}", method: .PATCH,
                     path: "/api/v1/cases/\(reference)/case-review-applications/\(UUID())", body: ["outcome": "Matrix"],
                     expect: table([.officer, .teamLeader]).merging([.officer: .notFound, .teamLeader: .notFound]) { $1 }),
            Endpoint(name: "GET /statistics/performance", method: .GET, path: "/api/v1/statistics/performance?year=2026/27", body: nil,
                     expect: table([.analyst, .teamLeader])),
            Endpoint(name: "PUT /cases/{ref}/legal-hold", method: .PUT, path: "/api/v1/cases/\(reference)/legal-hold", body: ["reason": "Matrix"],
                     expect: table([.teamLeader, .admin])),
            Endpoint(name: "DELETE /cases/{ref}/legal-hold", method: .DELETE, path: "/api/v1/cases/\(reference)/legal-hold", body: nil,
                     expect: table([.teamLeader, .admin])),
            Endpoint(name: "GET /parties/{id}/subject-access", method: .GET, path: "/api/v1/parties/\(partyID)/subject-access", body: nil,
                     expect: table([.admin])),
            Endpoint(name: "GET /audit?party=", method: .GET, path: "/api/v1/audit?party=\(partyID)", body: nil,
                     expect: table([.teamLeader, .admin])),
            Endpoint(name: "GET /settings/homes", method: .GET, path: "/api/v1/settings/homes", body: nil,
                     expect: table([.admin, .analyst, .teamLeader])),
            Endpoint(name: "PUT /settings/homes", method: .PUT, path: "/api/v1/settings/homes", body: ["year": "2026/27", "homes": 4000],
                     expect: table([.admin])),
            Endpoint(name: "POST /users/me/two-factor", method: .POST, path: "/api/v1/users/me/two-factor", body: nil,
                     expect: table(everyone)),
            Endpoint(name: "POST /users/me/two-factor/confirmation", method: .POST, path: "/api/v1/users/me/two-factor/confirmation",
                     body: ["code": "000000"], expect: table([], deniedWith: .conflict)),
            Endpoint(name: "POST /users/me/two-factor/removal", method: .POST, path: "/api/v1/users/me/two-factor/removal",
                     body: ["code": "000000"], expect: table([], deniedWith: .unprocessableEntity)),
            Endpoint(name: "DELETE /sessions/current", method: .DELETE, path: "/api/v1/sessions/current", body: nil,
                     expect: table(everyone)),
        ]
    }

    @Test("Every role gets exactly what DESIGN.md allows on every endpoint",
          arguments: 0..<75)
    func matrixRow(index: Int) async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let subject = try await t.staffToken(.officer, username: "subject.user")
            let partyID = try #require(try await Party.query(on: t.app.db).first()?.id).uuidString
            let endpoint = try #require(Self.endpoints(reference: reference, userID: subject.user.id!.uuidString,
                                                       partyID: partyID, agencyID: try await t.agencyID("Police"))[safe: index])
            // The allocated officer is the officer caller, so "officer may update" means their own case.
            var tokens: [Caller: String] = [:]
            for caller in Caller.allCases {
                guard let role = caller.role else { continue }
                tokens[caller] = try await t.staffToken(role, username: "matrix.\(caller.rawValue)").token
            }
            let officerID = try #require(try await t.send(.GET, "/api/v1/users/me", token: tokens[.officer]).json["id"] as? String)
            let leader = try #require(tokens[.teamLeader])
            _ = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["allocatedOfficerId": officerID],
                                 token: leader, headers: [("If-Match", "1")])

            for caller in Caller.allCases {
                var headers = endpoint.headers
                if endpoint.method == .PATCH, endpoint.path.contains("/cases/") {
                    let current = try #require(try await ASBCase.query(on: t.app.db).first()).version
                    headers = [("If-Match", "\"\(current)\"")]
                }
                if endpoint.name.contains("milestones") {
                    // Each caller records the milestone afresh.
                    try await CaseMilestone.query(on: t.app.db).set(\.$metAt, to: nil).update()
                }
                var body = endpoint.body
                if endpoint.name == "POST /users" { body?["username"] = "new.\(caller.rawValue)" }
                if endpoint.name == "POST /neighbourhoods" { body?["name"] = "Matrix \(caller.rawValue)" }
                if endpoint.name == "POST /properties" { body?["addressLine"] = "\(caller.rawValue) Matrix Road" }
                if endpoint.name == "POST /cases/{ref}/parties" { body?["party"] = ["name": "Witness \(caller.rawValue)"] }
                if endpoint.name == "POST /partner-agencies" { body?["name"] = "Matrix \(caller.rawValue)" }
                let reply: TestApp.Reply
                if endpoint.name == "POST /cases/{ref}/attachments" {
                    // A file upload: a real file, so the content type is right and only the role decides.
                    var fileHeaders = HTTPHeaders()
                    if let token = tokens[caller] { fileHeaders.bearerAuthorization = .init(token: token) }
                    fileHeaders.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
                    let response = try await t.app.testing().sendRequest(endpoint.method, endpoint.path, headers: fileHeaders,
                                                                         body: ByteBuffer(string: "A matrix test note.\n"))
                    reply = TestApp.Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
                } else {
                    reply = try await t.send(endpoint.method, endpoint.path, json: body, token: tokens[caller], headers: headers)
                }
                let expected = try #require(endpoint.expect[caller])
                if expected == Self.allowed {
                    #expect((200..<300).contains(reply.status.code), "\(endpoint) as \(caller): \(reply.status) \(reply.text)")
                } else {
                    #expect(reply.status == expected, "\(endpoint) as \(caller): \(reply.status) \(reply.text)")
                    #expect(reply.headers.contentType?.description.hasPrefix("application/problem+json") == true)
                }
            }
        }
    }

    @Test("The matrix covers every operation in the contract, which the server publishes")
    func coversContract() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.GET, "/api/v1/openapi.yaml")
            #expect(reply.status == .ok)
            #expect(reply.text.hasPrefix("openapi: 3.1"))
            let operations = reply.text.split(separator: "\n").filter { $0.contains("operationId:") }.count
            let covered = Set(Self.endpoints(reference: "r", userID: "u").map {
                $0.name.replacingOccurrences(of: " (web)", with: "").replacingOccurrences(of: " (staff channel)", with: "")
            })
            // Sign-in, tracking (and adding an incident to it), the holidays, the risk questionnaire, the
            // published community notices and the mail gateway's inbound email (its own shared secret) are
            // public by design and have their own tests.
            #expect(covered.count + 7 == operations, "Add new operations to the role matrix (public ones excepted)")
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
