@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Enforcement and legal action (SS-PRG-5)")
struct EnforcementTests {
    @Test("SS-PRG-5: a civil injunction is refused until the reporter's witness commitment is recorded; SS-NXT-4 warns if the perpetrator was never contacted")
    func witnessRule() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport(["allegedPerpetrator": ["name": "Quentin Nonesuch", "address": "9 Example Road"]])
                .string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let reporter = try await t.partyID("reporter", on: reference, token: leader.token)
            let perpetrator = try await t.partyID("allegedPerpetrator", on: reference, token: leader.token)

            let refused = try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement",
                                           json: ["type": "civilInjunction", "againstPartyId": perpetrator], token: leader.token)
            #expect(refused.status == .conflict)
            #expect(refused.json["clause"] as? String == "SS-PRG-5")
            #expect(refused.json["code"] as? String == "enforcement.needsWitnessCommitment")

            let warning = try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement", json: ["type": "writtenWarning"], token: leader.token)
            #expect(warning.status == .created, "A warning letter needs no witness")

            let evidence = try await t.send(.POST, "/api/v1/cases/\(reference)/witness-evidence", json: [
                "kind": "reporterCommitment", "partyId": reporter, "confirmedOn": "2026-11-24",
                "howConfirmed": "Confirmed in person at a home visit; will sign a statement.",
            ], token: leader.token)
            #expect(evidence.status == .created, "\(evidence.text)")
            let accepted = try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement",
                                            json: ["type": "civilInjunction", "againstPartyId": perpetrator], token: leader.token)
            #expect(accepted.status == .created, "\(accepted.text)")
            #expect((accepted.json["warnings"] as? [String])?.first?.contains("SS-NXT-4") == true)

            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/contacts", json: [
                "partyId": perpetrator, "method": "letter", "direction": "outbound", "summary": "Warning letter sent.",
            ], token: leader.token)
            let second = try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement",
                                          json: ["type": "noticeOfSeekingPossession", "againstPartyId": perpetrator], token: leader.token)
            #expect((second.json["warnings"] as? [String])?.isEmpty == true)
            let timeline = try await t.send(.GET, "/api/v1/cases/\(reference)/timeline", token: leader.token)
            let kinds = (timeline.json["items"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String }
            #expect(kinds.filter { $0 == "enforcementRecorded" }.count == 3)
        }
    }

    @Test("SS-PRG-5: a professional witness or hearsay route supports legal action only once a team leader approves it")
    func approvedRoutes() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let officer = try await t.staffToken(.officer)
            try await t.allocate(reference, to: officer.user, token: leader.token)
            let recorded = try await t.send(.POST, "/api/v1/cases/\(reference)/witness-evidence", json: [
                "kind": "professionalWitness", "witnessName": "Noise officer, environmental health", "confirmedOn": "2026-11-23",
                "howConfirmed": "Witnessed the noise on two visits; statement offered by email.",
            ], token: officer.token)
            let evidenceID = try #require((recorded.json["evidence"] as? [[String: Any]])?.first?["id"] as? String)
            #expect((recorded.json["evidence"] as? [[String: Any]])?.first?["supportsLegalAction"] as? Bool == false)
            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement", json: ["type": "closureOrder"],
                                     token: officer.token).status == .conflict)
            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/witness-evidence/\(evidenceID)/approval",
                                     token: officer.token).status == .forbidden)
            let approved = try await t.send(.POST, "/api/v1/cases/\(reference)/witness-evidence/\(evidenceID)/approval", token: leader.token)
            #expect(approved.status == .created)
            #expect((approved.json["evidence"] as? [[String: Any]])?.first?["supportsLegalAction"] as? Bool == true)
            #expect(try await t.send(.POST, "/api/v1/cases/\(reference)/witness-evidence/\(evidenceID)/approval",
                                     token: leader.token).status == .conflict)
            let order = try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement", json: ["type": "closureOrder"], token: officer.token)
            #expect(order.status == .created)
            let id = try #require((order.json["actions"] as? [[String: Any]])?.first?["id"] as? String)
            let done = try await t.send(.PATCH, "/api/v1/cases/\(reference)/enforcement/\(id)",
                                        json: ["status": "completed", "outcome": "Order granted for three months."], token: officer.token)
            #expect(done.status == .ok)
            let back = try await t.send(.PATCH, "/api/v1/cases/\(reference)/enforcement/\(id)", json: ["status": "planned"], token: officer.token)
            #expect(back.status == .conflict)
        }
    }

    @Test("Bad witness and enforcement input is refused clearly")
    func badInput() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let reporter = try await t.partyID("reporter", on: reference, token: leader.token)
            let bad = try await t.send(.POST, "/api/v1/cases/\(reference)/witness-evidence", json: [
                "kind": "reporterCommitment", "confirmedOn": "2027-01-01", "howConfirmed": " ",
            ], token: leader.token)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.fieldErrors).isSuperset(of: ["confirmedOn", "witnessName"]))
            let notPerpetrator = try await t.send(.POST, "/api/v1/cases/\(reference)/enforcement",
                                                  json: ["type": "verbalWarning", "againstPartyId": reporter], token: leader.token)
            #expect(notPerpetrator.fieldErrors == ["againstPartyId"])
            #expect(try await EnforcementAction.query(on: t.app.db).count() == 0)
        }
    }
}
