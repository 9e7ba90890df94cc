@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

/// The staff pages, role by role, as DESIGN.md's role table allows them: each role signs in and
/// opens every page; what it may not use answers 403 (or 404 for a case it may not see), and
/// nobody signed out gets past the sign-in page.
@Suite("Who may open which staff page")
struct PageRoleMatrixTests {
    enum Expect: Equatable { case ok, forbidden, notFound, redirect(String) }

    static let roles: [Role] = [.intake, .officer, .teamLeader, .partner, .analyst, .admin]

    /// Page → role → what it gets. A role not named is refused (403). A queue a role does not work
    /// is not there for it (404).
    static func pages(reference: String) -> [(path: String, allowed: [Role: Expect])] {
        let casework: [Role: Expect] = [.intake: .ok, .officer: .ok, .teamLeader: .ok]
        return [
            ("/staff", [.intake: .ok, .officer: .ok, .teamLeader: .ok, .partner: .ok,
                        .analyst: .redirect("/staff/dashboard"), .admin: .redirect("/staff/admin/users")]),
            ("/staff/queues/triage", [.intake: .ok, .officer: .ok, .teamLeader: .ok, .partner: .notFound, .analyst: .notFound, .admin: .notFound]),
            ("/staff/queues/overdue", [.officer: .ok, .teamLeader: .ok, .intake: .notFound, .partner: .notFound, .analyst: .notFound, .admin: .notFound]),
            ("/staff/dashboard", [.analyst: .ok, .teamLeader: .ok]),
            ("/staff/search?q=Ab", casework),
            ("/staff/reports/new", casework),
            ("/staff/letters", casework),
            ("/staff/notices", [.officer: .ok, .teamLeader: .ok]),
            ("/staff/feedback", [.officer: .ok, .teamLeader: .ok]),
            ("/staff/internal-reviews", [.teamLeader: .ok]),
            ("/staff/dissatisfaction", [.teamLeader: .ok]),
            ("/staff/cases/\(reference)", [.intake: .ok, .officer: .ok, .teamLeader: .ok, .partner: .notFound]),
            ("/staff/admin/users", [.admin: .ok]),
            ("/staff/admin/agencies", [.admin: .ok]),
            ("/staff/admin/neighbourhoods", [.admin: .ok]),
            ("/staff/admin/calendar", [.admin: .ok]),
            ("/staff/admin/open311", [.admin: .ok]),
            ("/staff/admin/homes", [.admin: .ok]),
        ]
    }

    @Test("Every role opens what it may and is refused the rest; signed out, every page sends you to sign in", arguments: roles)
    func pages(role: Role) async throws {
        try await TestApp.run { t in
            let reference = try #require(try await t.submitReport().string("reference"))
            let (_, user) = try await t.staffToken(role)
            let web = WebClient(t.app)
            try await web.signIn(user.username, password: "correct-horse-\(user.username)")
            for page in Self.pages(reference: reference) {
                let reply = try await web.get(page.path)
                switch page.allowed[role] ?? .forbidden {
                case .ok: #expect(reply.status == .ok, "\(page.path) as \(role)")
                case .forbidden: #expect(reply.status == .forbidden, "\(page.path) as \(role): \(reply.status)")
                case .notFound: #expect(reply.status == .notFound, "\(page.path) as \(role): \(reply.status)")
                case .redirect(let to): #expect(reply.status == .seeOther && reply.location == to, "\(page.path) as \(role): \(reply.status)")
                }
            }
            let anonymous = WebClient(t.app)
            for page in Self.pages(reference: reference) {
                let reply = try await anonymous.get(page.path)
                #expect(reply.status == .seeOther && reply.location?.hasPrefix("/staff/sign-in") == true, "\(page.path) signed out")
            }
        }
    }
}
