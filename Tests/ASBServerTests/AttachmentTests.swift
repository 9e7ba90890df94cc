@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import NIOCore
import Testing
import Vapor

@Suite("Evidence and documents (SS-PRG-1) and guidance given (SS-REP-3)")
struct AttachmentTests {
    /// A real 1×1 PNG.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
                               0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4,
                               0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0,
                               0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
                               0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]

    func upload(_ t: TestApp, _ reference: String, bytes: [UInt8], name: String, token: String,
                query: String = "") async throws -> TestApp.Reply {
        var headers = HTTPHeaders()
        headers.bearerAuthorization = .init(token: token)
        headers.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? name
        let response = try await t.app.testing().sendRequest(.POST, "/api/v1/cases/\(reference)/attachments?fileName=\(encoded)\(query)",
                                                             headers: headers, body: ByteBuffer(bytes: bytes))
        return TestApp.Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
    }

    @Test("SS-PRG-1: evidence is typed by its content, kept with its hash, and downloaded safely; every download is audited")
    func uploadAndDownload() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let incident = try #require(try await IncidentReport.query(on: t.app.db).first()?.id)
            let stored = try await upload(t, reference, bytes: Self.png, name: "holiday photo.jpg", token: leader.token,
                                          query: "&incidentId=\(incident)")
            #expect(stored.status == .created, "\(stored.text)")
            #expect(stored.json["type"] as? String == "png", "The content decides, not the name")
            #expect((stored.json["sha256"] as? String)?.count == 64)
            let id = try #require(stored.string("id"))

            let download = try await t.app.testing().sendRequest(.GET, "/api/v1/cases/\(reference)/attachments/\(id)",
                                                                 headers: ["Authorization": "Bearer \(leader.token)"])
            #expect(download.status == .ok)
            #expect(Array(download.body.readableBytesView) == Self.png)
            #expect(download.headers.contentType?.description.hasPrefix("application/octet-stream") == true)
            #expect(download.headers.first(name: "X-Content-Type-Options") == "nosniff")
            #expect(download.headers.first(name: "Content-Disposition")?.hasPrefix("attachment") == true)
            #expect(try await AuditEvent.query(on: t.app.db).filter(\.$action == "case.attachment.read").count() == 1)

            let text = try await upload(t, reference, bytes: Array("Noise diary: 23:10 bass music; 01:30 shouting.\n".utf8),
                                        name: "diary.txt", token: leader.token)
            #expect(text.json["type"] as? String == "text")
            let list = try await t.send(.GET, "/api/v1/cases/\(reference)/attachments", token: leader.token)
            #expect(((try? JSONSerialization.jsonObject(with: list.body)) as? [Any])?.count == 2)
        }
    }

    @Test("Programs, empty files, unknown incidents and oversized files are refused and nothing is stored")
    func refused() async throws {
        try await TestApp.run(configure: { $0.maxAttachmentBytes = 2048 }) { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            let elf = try await upload(t, reference, bytes: [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00] + Array(repeating: 0, count: 64),
                                       name: "statement.pdf", token: leader.token)
            #expect(elf.status == .unprocessableEntity)
            #expect(elf.fieldErrors == ["file"])
            #expect(try await upload(t, reference, bytes: [], name: "empty.txt", token: leader.token).status == .unprocessableEntity)
            let unknown = try await upload(t, reference, bytes: Self.png, name: "x.png", token: leader.token,
                                           query: "&incidentId=\(UUID())")
            #expect(unknown.fieldErrors == ["incidentId"])
            let big = try await upload(t, reference, bytes: Self.png + Array(repeating: 0, count: 4096), name: "big.png", token: leader.token)
            #expect(big.status == .payloadTooLarge)
            #expect(try await Attachment.query(on: t.app.db).count() == 0)
            #expect(try await AttachmentContent.query(on: t.app.db).count() == 0)
        }
    }

    @Test("A partner reads documents only when a referral shares them, and never restricted ones")
    func partnerDocuments() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let leader = try await t.staffToken(.teamLeader)
            _ = try await upload(t, reference, bytes: Self.png, name: "open.png", token: leader.token)
            let restricted = try await upload(t, reference, bytes: Self.png, name: "restricted.png", token: leader.token,
                                              query: "&restricted=true")
            let restrictedID = try #require(restricted.string("id"))
            let police = try await t.staffToken(.partner, username: "police.docs", agency: "Police")
            let agency = try await t.agencyID("Police")
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": agency, "reason": "Evidence", "consentGiven": true, "sharedFields": ["caseSummary"],
            ], token: leader.token)
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/attachments", token: police.token).status == .forbidden)
            _ = try await t.send(.POST, "/api/v1/cases/\(reference)/referrals", json: [
                "agencyId": agency, "reason": "Evidence", "consentGiven": true, "sharedFields": ["caseSummary", "documents"],
            ], token: leader.token)
            let list = try await t.send(.GET, "/api/v1/cases/\(reference)/attachments", token: police.token)
            let names = ((try? JSONSerialization.jsonObject(with: list.body)) as? [[String: Any]] ?? []).compactMap { $0["fileName"] as? String }
            #expect(names == ["open.png"])
            #expect(try await t.send(.GET, "/api/v1/cases/\(reference)/attachments/\(restrictedID)", token: police.token).status == .notFound)
        }
    }

    @Test("SS-REP-3, SS-PRG-1: staff record the guidance given about other agencies with the incident; the public cannot")
    func guidance() async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let officer = try await t.staffToken(.teamLeader)
            let incident = try await t.send(.POST, "/api/v1/cases/\(reference)/incidents", json: [
                "channel": "phone", "description": "Music again; advised to call environmental health out of hours.",
                "guidanceGiven": ["environmentalHealth", "police101"],
            ], token: officer.token)
            #expect(incident.status == .created)
            #expect(incident.json["guidanceGiven"] as? [String] == ["environmentalHealth", "police101"])
            let publicTry = try await t.submitReport(["guidanceGiven": ["police999"]])
            #expect(publicTry.fieldErrors == ["guidanceGiven"])
        }
    }
}
