@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Security: sessions, passwords and public rate limits")
struct SecurityTests {
    @Test("A token unused for longer than the idle time stops working; using it keeps it alive")
    func idleExpiry() async throws {
        try await TestApp.run(configure: { $0.tokenIdleTimeout = 30 * 60 }) { t in
            let (token, _) = try await t.staffToken(.officer)
            t.clock.advance(by: 25 * 60)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: token).status == .ok)
            t.clock.advance(by: 25 * 60)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: token).status == .ok, "used 25 minutes ago")
            t.clock.advance(by: 31 * 60)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: token).status == .unauthorized)
            // The web session cookie holds the same kind of token, so the same rule applies there.
            let (_, user) = try await t.staffToken(.officer)
            let web = WebClient(t.app)
            try await web.signIn(user.username, password: "correct-horse-\(user.username)")
            #expect(try await web.get("/staff").status == .ok)
            t.clock.advance(by: 31 * 60)
            #expect(try await web.get("/staff").status == .seeOther)
        }
    }

    @Test("A common or short password is refused with the reason beside the field, through the API")
    func commonPasswords() async throws {
        try await TestApp.run { t in
            let (admin, _) = try await t.staffToken(.admin)
            for password in ["Password2026!", "short", "qwertyuiop123"] {
                let reply = try await t.send(.POST, "/api/v1/users", json: ["username": "new.user", "displayName": "New User", "role": "officer",
                                                                           "password": password], token: admin)
                #expect(reply.status == .unprocessableEntity && reply.fieldErrors == ["password"], "\(password)")
            }
            #expect(try await User.query(on: t.app.db).filter(\.$username == "new.user").count() == 0)
        }
    }

    @Test("Public endpoints answer 429 with Retry-After past the limit per client address; staff tokens and other clients are not held up")
    func publicRateLimit() async throws {
        try await TestApp.run(configure: { $0.publicRateLimit = 3; $0.trustForwardedFor = true }) { t in
            func report(from address: String, token: String? = nil) async throws -> TestApp.Reply {
                try await t.submitReport(token: token, headers: [("X-Forwarded-For", "198.51.100.9, \(address)")])
            }
            for _ in 0..<3 { #expect(try await report(from: "203.0.113.1").status == .created) }
            let limited = try await report(from: "203.0.113.1")
            #expect(limited.status == .tooManyRequests && limited.headers.first(name: .retryAfter) == "60")
            #expect(limited.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            #expect(try await report(from: "203.0.113.2").status == .created, "another client")
            let (intake, _) = try await t.staffToken(.intake)
            #expect(try await report(from: "203.0.113.1", token: intake).status == .created, "staff are not limited")
            // Tracking is limited on its own count; the web form the same way.
            let track = try await t.send(.POST, "/api/v1/track", json: ["reference": "ASB-2026-00001", "accessCode": "AAAA-BBBB-CCCC"],
                                         headers: [("X-Forwarded-For", "203.0.113.1")])
            #expect(track.status == .notFound)
            // A minute later the client may report again; nothing was stored for the refused one.
            t.clock.advance(by: 61)
            #expect(try await report(from: "203.0.113.1").status == .created)
            #expect(try await ASBCase.query(on: t.app.db).count() == 6)
        }
    }

    @Test("The limited scopes: report, track, survey, feedback, ASB Case Review and Open311; reading pages is not limited")
    func scopes() {
        let scope = PublicRateLimitMiddleware.scope
        #expect(scope(.POST, "/api/v1/reports") == "report" && scope(.POST, "/report/what") == "report")
        #expect(scope(.POST, "/api/v1/track") == "track" && scope(.POST, "/track/incident") == "track")
        #expect(scope(.POST, "/survey/abc") == "survey" && scope(.POST, "/feedback") == "feedback")
        #expect(scope(.GET, "/open311/v2/services.json") == "open311" && scope(.POST, "/case-review") == "case-review")
        #expect(scope(.GET, "/report/what") == nil && scope(.GET, "/performance") == nil && scope(.POST, "/staff/sign-in") == nil)
    }
}
