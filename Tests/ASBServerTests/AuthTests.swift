@testable import ASBServer
import ASBCore
import Fluent
import Foundation
import Testing
import Vapor

@Suite("Staff sign-in, tokens and throttling")
struct AuthTests {
    @Test("Sign-in returns a random token that is stored only as a hash, and /users/me answers with it")
    func signIn() async throws {
        try await TestApp.run { t in
            let (token, user) = try await t.staffToken(.officer, username: "officer.one")
            let stored = try await APIToken.query(on: t.app.db).all()
            #expect(stored.count == 1)
            #expect(stored[0].tokenHash != token && stored[0].tokenHash == TokenHash.of(token))
            #expect(stored[0].expiresAt == t.clock.now.addingTimeInterval(12 * 3600))
            let me = try await t.send(.GET, "/api/v1/users/me", token: token)
            #expect(me.json["username"] as? String == "officer.one")
            #expect(me.json["id"] as? String == user.id?.uuidString)
            #expect(me.json["passwordHash"] == nil)
        }
    }

    @Test("Wrong password, unknown username and a deactivated account all give the same 401")
    func noUserEnumeration() async throws {
        try await TestApp.run { t in
            let (_, user) = try await t.staffToken(.officer, username: "known.user")
            let wrong = try await t.send(.POST, "/api/v1/sessions", json: ["username": "known.user", "password": "wrong-password-1"])
            let unknown = try await t.send(.POST, "/api/v1/sessions", json: ["username": "nobody.here", "password": "wrong-password-1"])
            user.active = false
            try await user.save(on: t.app.db)
            let inactive = try await t.send(.POST, "/api/v1/sessions", json: ["username": "known.user", "password": "correct-horse-known.user"])
            #expect(wrong.status == .unauthorized && unknown.status == .unauthorized && inactive.status == .unauthorized)
            #expect(wrong.text == unknown.text && unknown.text == inactive.text)
        }
    }

    @Test("Five failures for a username within 15 minutes give 429, known or not, until the window passes")
    func throttling() async throws {
        try await TestApp.run { t in
            _ = try await t.staffToken(.officer, username: "target.user")
            for username in ["target.user", "ghost.user"] {
                for _ in 0..<5 {
                    let r = try await t.send(.POST, "/api/v1/sessions", json: ["username": username, "password": "guess-guess-guess"])
                    #expect(r.status == .unauthorized)
                }
                let blocked = try await t.send(.POST, "/api/v1/sessions", json: ["username": username.uppercased(), "password": "x"])
                #expect(blocked.status == .tooManyRequests)
                #expect(blocked.headers.first(name: .retryAfter) == "900")
            }
            // Even the right password waits out the window.
            let right = try await t.send(.POST, "/api/v1/sessions", json: ["username": "target.user", "password": "correct-horse-target.user"])
            #expect(right.status == .tooManyRequests)
            t.clock.advance(by: 15 * 60 + 1)
            let later = try await t.send(.POST, "/api/v1/sessions", json: ["username": "target.user", "password": "correct-horse-target.user"])
            #expect(later.status == .created)
        }
    }

    @Test("Tokens expire after 12 hours, sign-out revokes, and deactivating a user revokes all their tokens")
    func tokenLifecycle() async throws {
        try await TestApp.run { t in
            let (token, _) = try await t.staffToken(.officer, username: "expiring")
            #expect(try await t.send(.GET, "/api/v1/users/me", token: token).status == .ok)
            t.clock.advance(by: 12 * 3600)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: token).status == .unauthorized)

            let (second, _) = try await t.staffToken(.officer, username: "leaving")
            #expect(try await t.send(.DELETE, "/api/v1/sessions/current", token: second).status == .noContent)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: second).status == .unauthorized)

            let (third, user) = try await t.staffToken(.officer, username: "deactivated")
            let admin = try await t.staffToken(.admin)
            let patch = try await t.send(.PATCH, "/api/v1/users/\(user.id!.uuidString)", json: ["active": false], token: admin.token)
            #expect(patch.status == .ok)
            #expect(patch.json["active"] as? Bool == false)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: third).status == .unauthorized)
        }
    }

    @Test("Sign-in with empty fields is a 422 naming both")
    func emptySignIn() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.POST, "/api/v1/sessions", json: ["username": " ", "password": ""])
            #expect(reply.status == .unprocessableEntity)
            #expect(Set(reply.fieldErrors) == ["username", "password"])
        }
    }
}

@Suite("Staff users (admin)")
struct UserAdminTests {
    @Test("An admin creates, lists, reads and changes users; passwords never leave the server")
    func crud() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin, username: "root.admin")
            let police = try await t.agencyID("Police")
            let created = try await t.send(.POST, "/api/v1/users", json: [
                "username": "PC.Example", "displayName": "PC Example", "email": "PC@Example.org", "role": "partner",
                "partnerAgencyId": police, "password": "a-long-enough-pass",
            ], token: admin.token)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["username"] as? String == "pc.example")
            #expect(created.json["email"] as? String == "pc@example.org")
            #expect(created.json["password"] == nil)
            #expect((created.json["partnerAgency"] as? [String: Any])?["name"] as? String == "Police")
            let id = try #require(created.json["id"] as? String)

            let list = try await t.send(.GET, "/api/v1/users?limit=1", token: admin.token)
            #expect((list.json["items"] as? [Any])?.count == 1)
            let cursor = try #require(list.json["nextCursor"] as? String)
            let page2 = try await t.send(.GET, "/api/v1/users?limit=1&cursor=\(cursor)", token: admin.token)
            #expect(((page2.json["items"] as? [[String: Any]])?.first?["username"] as? String) == "root.admin")
            let partners = try await t.send(.GET, "/api/v1/users?role=partner", token: admin.token)
            #expect((partners.json["items"] as? [Any])?.count == 1)

            let changed = try await t.send(.PATCH, "/api/v1/users/\(id)", json: ["role": "officer"], token: admin.token)
            #expect(changed.json["role"] as? String == "officer")
            #expect(changed.json["partnerAgency"] == nil)
            #expect(try await t.send(.GET, "/api/v1/users/\(id)", token: admin.token).string("role") == "officer")
            #expect(try await t.send(.GET, "/api/v1/users/\(UUID())", token: admin.token).status == .notFound)
        }
    }

    @Test("Bad user input: duplicate username 409; short password, partner without agency, bad username 422")
    func badInput() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin, username: "the.admin")
            let duplicate = try await t.send(.POST, "/api/v1/users", json: [
                "username": "THE.ADMIN", "displayName": "Again", "role": "officer", "password": "long-enough-password",
            ], token: admin.token)
            #expect(duplicate.status == .conflict)
            let bad = try await t.send(.POST, "/api/v1/users", json: [
                "username": "no spaces!", "displayName": "", "role": "partner", "password": "short",
            ], token: admin.token)
            #expect(bad.status == .unprocessableEntity)
            #expect(Set(bad.fieldErrors) == ["username", "displayName", "partnerAgencyId", "password"])
            let wrongAgency = try await t.send(.POST, "/api/v1/users", json: [
                "username": "pc.two", "displayName": "PC Two", "role": "partner", "partnerAgencyId": UUID().uuidString,
                "password": "long-enough-password",
            ], token: admin.token)
            #expect(wrongAgency.fieldErrors == ["partnerAgencyId"])
            let wrongRole = try await t.send(.POST, "/api/v1/users", json: [
                "username": "x.y", "displayName": "X", "role": "wizard", "password": "long-enough-password",
            ], token: admin.token)
            #expect(wrongRole.status == .unprocessableEntity)
            #expect(wrongRole.fieldErrors == ["role"])
        }
    }

    @Test("An admin cannot lock themselves out")
    func noSelfLockout() async throws {
        try await TestApp.run { t in
            let admin = try await t.staffToken(.admin, username: "only.admin")
            let reply = try await t.send(.PATCH, "/api/v1/users/\(admin.user.id!.uuidString)", json: ["active": false], token: admin.token)
            #expect(reply.status == .conflict)
            #expect(try await t.send(.GET, "/api/v1/users/me", token: admin.token).status == .ok)
        }
    }

    @Test("The first admin is created once, only on an empty database, with a generated password that works")
    func bootstrapAdmin() async throws {
        try await TestApp.run { t in
            let password = try #require(try await t.app.prepareDatabase())
            #expect(password.count >= 12)
            #expect(try await t.app.prepareDatabase() == nil, "A second start creates no second admin")
            let login = try await t.send(.POST, "/api/v1/sessions", json: ["username": "admin", "password": password])
            #expect(login.status == .created)
            #expect((login.json["user"] as? [String: Any])?["role"] as? String == "admin")
        }
    }
}
