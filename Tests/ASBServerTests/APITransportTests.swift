@testable import ASBServer
import Foundation
import NIOCore
import Testing
import Vapor

@Suite("The API over HTTP")
struct APITransportTests {
    /// Starts the server on a free loopback port for `body`, and stops it.
    static func serving(_ t: TestApp, _ body: (String) async throws -> Void) async throws {
        try await t.app.server.start(address: .hostname("127.0.0.1", port: 0))
        do {
            let port = try #require(t.app.http.server.shared.localAddress?.port)
            try await body("http://127.0.0.1:\(port)")
        } catch {
            await t.app.server.shutdown()
            throw error
        }
        await t.app.server.shutdown()
    }

    @Test("A JSON answer is sent whole with its length; a file over a megabyte streams intact with its length; errors are problems")
    func bodies() async throws {
        try await TestApp.run { t in
            let leader = try await t.staffToken(.teamLeader)
            try await Self.serving(t) { base in
                let json = try JSONSerialization.data(withJSONObject: Fixtures.webReport())
                let report = try await t.app.client.post(URI(string: "\(base)/api/v1/reports"), headers: ["Content-Type": "application/json"]) {
                    $0.body = ByteBuffer(data: json)
                }
                #expect(report.status == .created)
                let body = try #require(report.body)
                #expect(report.headers.first(name: .contentLength) == String(body.readableBytes))
                #expect(report.headers.first(name: .transferEncoding) == nil)
                let receipt = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]
                let caseReference = try #require(receipt?["reference"] as? String)

                // A diary of 1.5 MB: longer than the transport sends in one piece.
                let line = Array("23:10 bass music through the ceiling; 01:30 shouting on the landing.\n".utf8)
                let diary = Array((0..<(1_572_864 / line.count + 1)).map { _ in line }.joined())
                #expect(diary.count > APITransport.bufferedResponseBytes)
                var headers = HTTPHeaders()
                headers.bearerAuthorization = .init(token: leader.token)
                headers.contentType = HTTPMediaType(type: "application", subType: "octet-stream")
                let stored = try await t.app.client.post(URI(string: "\(base)/api/v1/cases/\(caseReference)/attachments?fileName=diary.txt"),
                                                         headers: headers) { $0.body = ByteBuffer(bytes: diary) }
                #expect(stored.status == .created)
                let attachment = try JSONSerialization.jsonObject(with: Data(buffer: stored.body ?? ByteBuffer())) as? [String: Any]
                let id = try #require(attachment?["id"] as? String)
                let download = try await t.app.client.get(URI(string: "\(base)/api/v1/cases/\(caseReference)/attachments/\(id)"),
                                                          headers: ["Authorization": "Bearer \(leader.token)"])
                #expect(download.status == .ok)
                #expect(download.headers.first(name: .contentLength) == String(diary.count))
                #expect(download.body.map { Array($0.readableBytesView) } == diary)

                let missing = try await t.app.client.get(URI(string: "\(base)/api/v1/cases/ASB-2026-99999"),
                                                         headers: ["Authorization": "Bearer \(leader.token)"])
                #expect(missing.status == .notFound)
                #expect(missing.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            }
        }
    }
}
