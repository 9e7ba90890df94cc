@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Cases: reading, allocating and changing")
struct CaseTests {
    @Test("A case shows its parties and incidents with an ETag of its version")
    func detail() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport(["allegedPerpetrator": ["name": "Casey Madeup"]]).json["reference"] as? String)
            let officer = try await t.staffToken(.officer)
            let reply = try await t.send(.GET, "/api/v1/cases/\(reference)", token: officer.token)
            #expect(reply.status == .ok)
            #expect(reply.headers.first(name: .eTag) == "\"1\"")
            #expect(reply.json["version"] as? Int == 1)
            let roles = (reply.json["parties"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }
            #expect(Set(roles) == ["reporter", "allegedPerpetrator"])
            #expect((reply.json["incidents"] as? [Any])?.count == 1)
            #expect(reply.json["accessCodeHash"] == nil)
            // The reference is case-insensitive; an unknown or malformed one is 404.
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference.lowercased())", token: officer.token).status == .ok)
            #expect(try await t.send(.GET, "/api/v1/cases/ASB-2026-00999", token: officer.token).status == .notFound)
            #expect(try await t.send(.GET, "/api/v1/cases/nonsense", token: officer.token).status == .notFound)
        }
    }

    @Test("SS-RT-1, SS-NXT-1: a case opens once assessed and allocated, in either order, on the timeline and in the audit")
    func allocationOpensCase() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            let reply = try await t.send(.PATCH, "/api/v1/cases/\(reference)",
                                         json: ["allocatedOfficerId": officer.user.id!.uuidString],
                                         token: leader.token, headers: [("If-Match", "\"1\"")])
            #expect(reply.status == .ok, "\(reply.text)")
            #expect(reply.json["status"] as? String == "received", "Allocated but not yet assessed (SS-RT-1)")
            #expect((reply.json["allocatedOfficer"] as? [String: Any])?["displayName"] as? String == officer.user.displayName)
            #expect(reply.headers.first(name: .eTag) == "\"2\"")

            let assessed = try await t.assess(reference, token: officer.token, answers: ["frequency": "daily"])
            #expect(assessed.status == .created, "\(assessed.text)")
            #expect(assessed.json["status"] as? String == "open")

            let other = try #require(try await t.submitReport().json["reference"] as? String)
            _ = try await t.assess(other, token: leader.token)
            #expect(try await t.send(.GET, "/api/v1/cases/\(other)", token: leader.token).json["status"] as? String == "received")
            #expect(try await t.allocate(other, to: officer.user, token: leader.token).json["status"] as? String == "open")

            let timeline = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: officer.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds == ["reported", "allocated", "assessed", "priorityChanged", "statusChanged"] || kinds == ["reported", "allocated", "assessed", "statusChanged"])

            let audit = try await t.send(.GET, "/api/v1/cases/\(reference)/audit", token: leader.token)
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("case.transition"))
            #expect(actions.contains("case.update"))
        }
    }

    @Test("Updates need If-Match: missing is 428, stale is 412, and a stale write changes nothing")
    func optimisticLocking() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let noVersion = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": ["drugs"]], token: leader.token)
            #expect(noVersion.status == .preconditionRequired)
            let first = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": ["drugs"]],
                                         token: leader.token, headers: [("If-Match", "\"1\"")])
            #expect(first.status == .ok)
            let stale = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": ["pets"]],
                                         token: leader.token, headers: [("If-Match", "\"1\"")])
            #expect(stale.status == .preconditionFailed)
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.categories == [.drugs])
            #expect(stored.version == 2)
            let garbage = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": ["pets"]],
                                           token: leader.token, headers: [("If-Match", "yesterday")])
            #expect(garbage.status == .badRequest)
            // A change that changes nothing keeps the version, so nobody else's ETag goes stale.
            let same = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": ["drugs"]],
                                        token: leader.token, headers: [("If-Match", "\"2\"")])
            #expect(same.status == .ok)
            #expect(same.headers.first(name: .eTag) == "\"2\"")
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "case.update").count() == 1)
            // Beside a real change, categories named as they are (twice over) are not a change either.
            let flagged = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": ["drugs", "drugs"], "notASB": true],
                                           token: leader.token, headers: [("If-Match", "\"2\"")])
            #expect(flagged.status == .ok, "\(flagged.text)")
            #expect(flagged.headers.first(name: .eTag) == "\"3\"")
            let timeline = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: leader.token)
            let updates = (timeline.json["items"] as? [[String: Any]] ?? []).filter { $0["kind"] as? String == "updated" }
                .compactMap { $0["summary"] as? String }
            #expect(updates == ["Changed categories", "Changed recorded as not ASB, for information"])
        }
    }

    @Test("Two officers saving from the same read: exactly one wins, the other gets 412")
    func concurrentEdits() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let statuses = try await withThrowingTaskGroup(of: HTTPStatus.self) { group in
                for category in ["drugs", "pets", "parking", "rubbish"] {
                    group.addTask {
                        try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["categories": [category]],
                                         token: leader.token, headers: [("If-Match", "\"1\"")]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1)
            #expect(statuses.filter { $0 == .preconditionFailed }.count == 3)
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).version == 2)
        }
    }

    @Test("Only a team leader allocates; an officer changes only the cases allocated to them")
    func whoMayChange() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let mine = try await t.staffToken(.officer)
            let other = try await t.staffToken(.officer)
            let selfAllocate = try await t.send(.PATCH, "/api/v1/cases/\(reference)",
                                                json: ["allocatedOfficerId": mine.user.id!.uuidString],
                                                token: mine.token, headers: [("If-Match", "1")])
            #expect(selfAllocate.status == .forbidden)
            _ = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["allocatedOfficerId": mine.user.id!.uuidString],
                                 token: leader.token, headers: [("If-Match", "1")])
            let byOther = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["asbLimbs": ["nuisanceToOccupier"]],
                                           token: other.token, headers: [("If-Match", "2")])
            #expect(byOther.status == .forbidden)
            let byMine = try await t.send(.PATCH, "/api/v1/cases/\(reference)",
                                          json: ["asbLimbs": ["nuisanceToOccupier", "harassmentAlarmOrDistress"], "notASB": false],
                                          token: mine.token, headers: [("If-Match", "2")])
            #expect(byMine.status == .ok)
            #expect(byMine.json["asbLimbs"] as? [String] == ["nuisanceToOccupier", "harassmentAlarmOrDistress"])
        }
    }

    @Test("Allocating to someone who is not an active officer or team leader is a 422 naming the field")
    func badAllocation() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().json["reference"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let analyst = try await t.staffToken(.analyst)
            for id in [analyst.user.id!.uuidString, UUID().uuidString, "not-a-uuid"] {
                let reply = try await t.send(.PATCH, "/api/v1/cases/\(reference)", json: ["allocatedOfficerId": id],
                                             token: leader.token, headers: [("If-Match", "1")])
                #expect(reply.status == .unprocessableEntity)
                #expect(reply.fieldErrors == ["allocatedOfficerId"])
            }
            #expect(try #require(try await ASBCase.query(on: t.app.db).first()).status == .received)
        }
    }

    @Test("Lists are paginated by cursor, filterable and sortable, with no personal data")
    func listing() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            for i in 0..<7 {
                _ = try await t.submitReport(i % 3 == 0 ? ["hate": true, "hateStrands": ["sexualOrientation"]] : [:])
                t.clock.advance(by: 60)
            }
            _ = try await t.send(.PATCH, "/api/v1/cases/ASB-2026-00002", json: ["allocatedOfficerId": officer.user.id!.uuidString],
                                 token: leader.token, headers: [("If-Match", "1")])
            try await t.assess("ASB-2026-00002", token: officer.token)

            var seen: [String] = []
            var cursor: String?
            repeat {
                let path = "/api/v1/cases?limit=3" + (cursor.map { "&cursor=\($0)" } ?? "")
                let page = try await t.send(.GET, path, token: leader.token)
                #expect(page.status == .ok)
                let items = page.json["items"] as? [[String: Any]] ?? []
                #expect(items.count <= 3)
                #expect(items.allSatisfy { $0["parties"] == nil && $0["description"] == nil })
                seen += items.compactMap { $0["reference"] as? String }
                cursor = page.json["nextCursor"] as? String
            } while cursor != nil
            #expect(seen == (1...7).reversed().map { CaseReference(year: 2026, number: $0).description }, "Newest first by default")

            let byReference = try await t.send(.GET, "/api/v1/cases?sort=reference&limit=2", token: leader.token)
            let next = try #require(byReference.json["nextCursor"] as? String)
            let second = try await t.send(.GET, "/api/v1/cases?sort=reference&limit=2&cursor=\(next)", token: leader.token)
            #expect((second.json["items"] as? [[String: Any]])?.compactMap { $0["reference"] as? String } == ["ASB-2026-00003", "ASB-2026-00004"])

            let hate = try await t.send(.GET, "/api/v1/cases?hate=true", token: leader.token)
            #expect((hate.json["items"] as? [Any])?.count == 3)
            let p1 = try await t.send(.GET, "/api/v1/cases?priority=1", token: leader.token)
            #expect((p1.json["items"] as? [Any])?.count == 3)
            let open = try await t.send(.GET, "/api/v1/cases?status=open", token: leader.token)
            #expect((open.json["items"] as? [[String: Any]])?.first?["reference"] as? String == "ASB-2026-00002")
            let mine = try await t.send(.GET, "/api/v1/cases?officer=me", token: officer.token)
            #expect((mine.json["items"] as? [Any])?.count == 1)
            let unallocated = try await t.send(.GET, "/api/v1/cases?officer=none", token: leader.token)
            #expect((unallocated.json["items"] as? [Any])?.count == 6)
            let window = try await t.send(.GET, "/api/v1/cases?receivedFrom=2026-11-24T10:16:00Z&receivedTo=2026-11-24T10:18:00Z",
                                          token: leader.token)
            #expect((window.json["items"] as? [Any])?.count == 2)

            #expect(try await t.send(.GET, "/api/v1/cases?limit=500", token: leader.token).status == .badRequest)
            #expect(try await t.send(.GET, "/api/v1/cases?cursor=garbage", token: leader.token).status == .badRequest)
            let sleeping = try await t.send(.GET, "/api/v1/cases?status=sleeping", token: leader.token)
            #expect(sleeping.status == .badRequest, Comment(rawValue: sleeping.text))
        }
    }

    @Test("The case list pages through exactly the cases each filter and sort selects, each row as the case is stored")
    func listingAgainstStoredCases() async throws {
        try await TestApp.run(clock: TestClock(ISO8601DateFormatter().date(from: "2026-11-23T09:00:00Z")!)) { t in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: 300, seed: 7))
            let (_, leader) = try await t.staffToken(.teamLeader)
            let stored = try await ASBCase.query(on: t.app.db).with(\.$allocatedOfficer).with(\.$neighbourhood).all()
            let officer = try #require(stored.compactMap { $0.$allocatedOfficer.id }.first)
            let neighbourhood = try #require(stored.compactMap { $0.$neighbourhood.id }.first)
            let middle = stored.map(\.receivedAt).sorted()[stored.count / 2]
            typealias Filter = CaseService.ListFilter
            func filter(_ change: (inout Filter) -> Void) -> Filter { var f = Filter(); change(&f); return f }
            let filters: [(String, Filter, (ASBCase) -> Bool)] = [
                ("all", Filter(), { _ in true }),
                ("open", filter { $0.status = .open }, { $0.status == .open }),
                ("not closed", filter { $0.openOnly = true }, { $0.status != .closed }),
                ("priority 1", filter { $0.priority = .p1 }, { $0.priority == .p1 }),
                ("hate", filter { $0.hate = true }, { $0.hate }),
                ("officer", filter { $0.officer = .user(officer) }, { $0.$allocatedOfficer.id == officer }),
                ("unallocated", filter { $0.officer = .unallocated }, { $0.$allocatedOfficer.id == nil }),
                ("neighbourhood", filter { $0.neighbourhoodID = neighbourhood }, { $0.$neighbourhood.id == neighbourhood }),
                ("window", filter { ($0.receivedFrom, $0.receivedTo) = (middle.addingTimeInterval(-86_400 * 30), middle) },
                 { $0.receivedAt >= middle.addingTimeInterval(-86_400 * 30) && $0.receivedAt < middle }),
            ]
            let cases = CaseService(app: t.app, db: t.app.db, requestID: nil)
            for (name, base, selects) in filters {
                let expected = stored.filter(selects)
                #expect(!expected.isEmpty, "\(name) selects something")
                for sort in [Filter.Sort.receivedAt, .receivedAtDescending, .reference, .referenceDescending] {
                    var f = base
                    f.sort = sort
                    var listed: [CaseListing] = []
                    var cursor: String?
                    repeat {
                        let page = try await cases.list(f, cursor: cursor, limit: 17, by: leader)
                        listed += page.items
                        cursor = page.nextCursor
                    } while cursor != nil
                    let ordered = expected.sorted { a, b in
                        switch sort {
                        case .receivedAt: (a.receivedAt, a.id!.uuidString) < (b.receivedAt, b.id!.uuidString)
                        case .receivedAtDescending: (a.receivedAt, a.id!.uuidString) > (b.receivedAt, b.id!.uuidString)
                        case .reference: a.reference < b.reference
                        case .referenceDescending: a.reference > b.reference
                        }
                    }
                    #expect(listed == (try ordered.map(CaseListing.init)), "\(name), \(sort)")
                    #expect(try await cases.count(f, upTo: 10_000, by: leader) == expected.count, "\(name) counted")
                    #expect(try await cases.count(f, upTo: 3, by: leader) == min(3, expected.count), "\(name) counted up to 3")
                }
            }
        }
    }
}

@Suite("Reporter tracking without an account")
struct TrackingTests {
    @Test("The reference and access code show the status and officer, never other parties or restricted details")
    func track() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport(["allegedPerpetrator": ["name": "Robin Fictional"]])
            let reference = try #require(receipt.json["reference"] as? String)
            let code = try #require(receipt.json["accessCode"] as? String)
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            try await t.allocate(reference, to: officer.user, token: leader.token)
            try await t.assess(reference, token: officer.token)

            let reply = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code.lowercased()])
            #expect(reply.status == .ok)
            #expect(reply.json["status"] as? String == "open")
            #expect(reply.json["allocatedOfficer"] as? String == officer.user.displayName)
            #expect((reply.json["statusDescription"] as? String)?.isEmpty == false)
            #expect(!reply.text.contains("Robin") && !reply.text.contains("Example Road") && !reply.text.contains("incidents"))
            #expect(reply.json["nextContactOn"] == nil)
            let detail = try await t.send(.GET, "/api/v1/cases/\(reference)", token: leader.token)
            let reporter = (detail.json["parties"] as? [[String: Any]] ?? []).first { $0["role"] as? String == "reporter" }
            let reporterID = try #require((reporter?["party"] as? [String: Any])?["id"] as? String)
            _ = try await t.send(.PUT, "/api/v1/cases/\(reference)/contact-plans/\(reporterID)",
                                 json: ["frequency": "fortnightly", "method": "phone"], token: leader.token)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts",
                                 json: ["method": "meeting", "direction": "inbound", "summary": "RESTRICTED-NOTE", "restricted": true],
                                 token: leader.token)
            let again = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code])
            #expect(again.json["nextContactOn"] as? String == "2026-12-08", "SS-NXT-5: the reporter sees when contact is due")
            #expect(!again.text.contains("RESTRICTED-NOTE"))
        }
    }

    @Test("A wrong code and an unknown reference give the same 404; guessing is throttled with 429")
    func wrongCodes() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport()
            let reference = try #require(receipt.json["reference"] as? String)
            let code = try #require(receipt.json["accessCode"] as? String)
            let wrong = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": "AAAA-AAAA-AAAA"])
            let unknown = try await t.send(.POST, "/api/v1/track", json: ["reference": "ASB-2026-00077", "accessCode": code])
            #expect(wrong.status == .notFound && unknown.status == .notFound)
            #expect(wrong.json["detail"] as? String == unknown.json["detail"] as? String)
            for _ in 0..<9 {
                _ = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": "BBBB-BBBB-BBBB"])
            }
            let blocked = try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code])
            #expect(blocked.status == .tooManyRequests, "Ten failures for a reference lock it for the window, even with the right code")
            t.clock.advance(by: 3601)
            #expect(try await t.send(.POST, "/api/v1/track", json: ["reference": reference, "accessCode": code]).status == .ok)
            let empty = try await t.send(.POST, "/api/v1/track", json: ["reference": "", "accessCode": ""])
            #expect(Set(empty.fieldErrors) == ["reference", "accessCode"])
        }
    }

    @Test("SS-PRG-1: the reporter adds a new incident with their reference and code; wrong codes get the same 404")
    func reporterAddsIncident() async throws {
        try await TestApp.run { t in
            let receipt = try await t.submitReport()
            let reference = try #require(receipt.string("reference"))
            let code = try #require(receipt.string("accessCode"))
            t.clock.advance(by: 3600)
            let added = try await t.send(.POST, "/api/v1/track/incidents", json: [
                "reference": reference, "accessCode": code, "description": "It happened again, and they shouted racist abuse.",
                "hate": true, "hateStrands": ["race"], "immediateDanger": true,
            ])
            #expect(added.status == .created, "\(added.text)")
            #expect(added.json["accessCode"] == nil)
            #expect((added.string("emergencyAdvice") ?? "").contains("999"))
            let stored = try #require(try await ASBCase.query(on: t.app.db).first())
            #expect(stored.lastIncidentAt == t.clock.now)
            #expect(stored.priority == .p1 && stored.hate, "SS-RT-2: a hate incident makes the case priority 1")
            let incident = try #require(try await IncidentReport.query(on: t.app.db).sort(\.$recordedAt, .descending).first())
            #expect(incident.channel == .web && incident.$reporter.id != nil && incident.$recordedBy.id == nil)
            let wrong = try await t.send(.POST, "/api/v1/track/incidents", json: ["reference": reference, "accessCode": "AAAA-AAAA-AAAA",
                                                                                  "description": "x"])
            #expect(wrong.status == .notFound)
            #expect(try await IncidentReport.query(on: t.app.db).count() == 2)
            let audit = try await AuditEvent.query(on: t.app.db).filter(\.$action == "incident.create").first()
            #expect(audit?.actorLabel == "reporter")
        }
    }
}
