import ASBCore
import Foundation
import Vapor

/// Community notices (SS-PRG-6): officers draft them from a case page; team leaders approve and
/// publish them here.
extension StaffSite {
    /// A staff page that is a heading, a sentence, and tables (notices, letters).
    struct ListPage: PageModel {
        var chrome: PageChrome
        var heading: String
        var intro: String
        var tables: [Table]?
        var empty: String?
    }

    @Sendable func noticeList(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        let notices = try await NoticeService(app: req.application, db: req.db, requestID: req.id).list(status: nil, by: .staff(user))
        let rows: [[Table.Cell]] = notices.map { n in
            var action = Table.Cell(text: n.status.words, tag: n.status == .published ? "tag-green" : "tag-yellow")
            if n.status == .draft, user.role == .teamLeader {
                action = .init(text: "", button: .init(action: "/staff/notices/\(n.id?.text ?? "")/publish", label: "Approve and publish",
                                                       context: n.title, csrf: CSRF.token(for: req)))
            }
            return [.init(text: n.title), .init(text: n.neighbourhood.name), .init(text: n.text), action]
        }
        return try await req.page("staff/list", ListPage(
            chrome: WebChrome.make(req, title: "Community notices"), heading: "Community notices",
            intro: "Notices tell a neighbourhood what has been done about anti-social behaviour (SS-PRG-6). They never name people or give addresses. A team leader approves each one before it is published on the public site.",
            tables: rows.isEmpty ? nil : [Table(caption: "Community notices", headers: ["Title", "Neighbourhood", "Notice", "Status"], rows: rows)],
            empty: rows.isEmpty ? "No notices yet. Draft one from a case page." : nil))
    }

    @Sendable func publishNotice(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        try CSRF.verify(try req.formData(), for: req)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("No such notice.") }
        let notice = try await NoticeService(app: req.application, db: req.db, requestID: req.id).publish(id, by: .staff(user))
        return req.seeOther("/staff/notices", notice: "\(notice.title) is published.")
    }
}
