@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

@Suite("Health, configuration and persistence")
struct HealthAndPersistenceTests {
    @Test("GET /health is 200 with the database answering")
    func healthy() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.GET, "/health")
            #expect(reply.status == .ok)
            #expect(reply.json["status"] as? String == "ok")
            #expect(reply.json["database"] as? String == "ok")
        }
    }

    @Test("GET /health is 503 when the database is unreachable")
    func unhealthy() async throws {
        let app = try await Application.make(.testing)
        do {
            // Nothing listens on port 1 of loopback.
            try await configure(app, config: AppConfig(database: .postgres(url: "postgres://asb:asb@127.0.0.1:1/asb"), bcryptCost: 4))
            let response = try await app.testing().sendRequest(.GET, "/health")
            #expect(response.status == .serviceUnavailable)
            #expect(response.body.string.contains("unreachable"))
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    @Test("Stopping waits for the requests in hand before the databases close, and refuses new ones with 503 and Retry-After")
    func stoppingDrainsRequests() async throws {
        // `asb serve` stopped under load crashed every time: a request still in hand asked Fluent
        // for a database its shutdown had closed (`Request.db` traps).
        let name = "drain-\(UUID().uuidString.prefix(8))"
        let app = try await Application.make(.testing)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: TestApp.sqlitePath(name) + suffix) } }
        try await configure(app, config: AppConfig(database: .sqliteFile(TestApp.sqlitePath(name)), bcryptCost: 4))
        try await app.autoMigrate()
        let inFlight = app.asb.inFlight
        let (arrived, arrival) = AsyncStream.makeStream(of: Void.self)
        let (released, release) = AsyncStream.makeStream(of: Void.self)
        app.get("held") { req async throws -> String in
            arrival.yield()
            for await _ in released { break }
            return String(try await Neighbourhood.query(on: req.db).count())
        }
        let tester = try app.testing()
        let held = Task { try await tester.sendRequest(.GET, "/held") }
        for await _ in arrived { break }
        let stopping = Task { try await app.asyncShutdown() }
        let begun = ContinuousClock.now
        while !inFlight.isDraining, ContinuousClock.now - begun < .seconds(10) { try await Task.sleep(for: .milliseconds(1)) }
        try #require(inFlight.isDraining, "Stopping the application must first refuse new requests")

        let refused = try await tester.sendRequest(.GET, "/health")
        #expect(refused.status == .serviceUnavailable)
        #expect(refused.headers.first(name: .retryAfter) == "5")
        #expect(refused.headers.contentType?.description.hasPrefix("application/problem+json") == true)
        #expect(inFlight.count == 1)
        try await Task.sleep(for: .milliseconds(200))
        #expect(!app.didShutdown, "The databases must stay open while a request is in hand")

        release.yield()
        let reply = try await held.value
        #expect(reply.status == .ok)
        #expect(Int(reply.body.string) != nil)
        try await stopping.value
        #expect(app.didShutdown)
        #expect(inFlight.count == 0)
    }

    @Test("Every response, errors included, carries the security headers; HSTS behind TLS; API responses are not cached")
    func securityHeaders() async throws {
        try await TestApp.run { t in
            for reply in [try await t.send(.GET, "/health"), try await t.send(.GET, "/api/v1/cases"),
                          try await t.send(.GET, "/api/v1/nowhere"), try await t.submitReport()] {
                let csp = reply.headers.first(name: "Content-Security-Policy") ?? ""
                #expect(csp.contains("script-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'"))
                #expect(reply.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(reply.headers.first(name: "Referrer-Policy") == "no-referrer")
                #expect(reply.headers.first(name: "Strict-Transport-Security") == nil, "Plain HTTP: no HSTS")
            }
            #expect(try await t.send(.GET, "/api/v1/cases").headers.first(name: .cacheControl) == "no-store")
            let proxied = try await t.send(.GET, "/health", headers: [("X-Forwarded-Proto", "https")])
            #expect(proxied.headers.first(name: "Strict-Transport-Security")?.hasPrefix("max-age=") == true)
        }
    }

    @Test("Unknown routes answer with a problem document; a wrong method is 405 with Allow; a wrong body type is 415")
    func unknownRoute() async throws {
        try await TestApp.run { t in
            let reply = try await t.send(.GET, "/api/v1/nowhere")
            #expect(reply.status == .notFound)
            #expect(reply.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            let wrongMethod = try await t.send(.PUT, "/api/v1/neighbourhoods")
            #expect(wrongMethod.status == .methodNotAllowed)
            #expect(wrongMethod.headers.first(name: .allow) == "GET, POST")
            let wrongCase = try await t.send(.DELETE, "/api/v1/cases/ASB-2026-00001")
            #expect(wrongCase.status == .methodNotAllowed)
            #expect(wrongCase.headers.first(name: .allow) == "GET, PATCH")
            let me = try await t.send(.PATCH, "/api/v1/users/me", json: ["displayName": "x"])
            #expect(me.status == .methodNotAllowed)
            #expect(me.headers.first(name: .allow) == "GET")
            let plain = try await t.app.testing().sendRequest(.POST, "/api/v1/reports", headers: ["Content-Type": "text/plain"],
                                                              body: .init(string: "channel=web"))
            #expect(plain.status == .unsupportedMediaType)
            #expect(plain.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            #expect(try await ASBCase.query(on: t.app.db).count() == 0)
        }
    }

    @Test("A request that decoded but failed in the server is a 500 problem, never a 400 that blames the client")
    func serverFaultIsOurs() async throws {
        try await TestApp.run { t in
            let (token, _) = try await t.staffToken(.teamLeader)
            #expect(try await t.send(.GET, "/api/v1/queues/reviewsDue", token: token).status == .ok)
            // The database fails under a valid request: a table is missing.
            try await (t.app.db as! any SQLDatabase).raw("DROP TABLE review_meetings").run()
            let reply = try await t.send(.GET, "/api/v1/queues/reviewsDue", token: token)
            #expect(reply.status == .internalServerError, "\(reply.text)")
            #expect(reply.headers.contentType?.description.hasPrefix("application/problem+json") == true)
            #expect(reply.string("type")?.hasSuffix("/internal") == true)
            // A request that does not decode is still the client's: 400.
            #expect(try await t.send(.GET, "/api/v1/queues/reviewsDue?limit=many", token: token).status == .badRequest)
        }
    }

    @Test("Stopping and starting the server keeps every case")
    func restartKeepsCases() async throws {
        let name = "restart_" + UUID().uuidString.prefix(8).lowercased()
        var reference = ""
        try await TestApp.run(keeping: name) { t in
            reference = try #require(try await t.submitReport().json["reference"] as? String)
        }
        let saved = reference
        try await TestApp.run(keeping: name) { (t: TestApp) async throws -> Void in
            let count = try await ASBCase.query(on: t.app.db).filter(\.$reference == saved).count()
            #expect(count == 1)
            #expect(try await t.submitReport().string("reference") == "ASB-2026-00002", "Numbering carries on")
            try await TestApp.dropDatabase(name, app: t.app)
        }
    }

    @Test("SQLite: a bulk write transaction keeps its statement journals in memory")
    func bulkTransactionsInMemory() async throws {
        try await TestApp.run { t in
            guard t.app.asb.writes.sqliteGate != nil else { return }   // SQLite only
            func tempStore(bulk: Bool) async throws -> Int {
                try await t.app.asb.writes.run(on: t.app.db, bulk: bulk) { db in
                    let row = try #require(try await (db as! any SQLDatabase).raw("PRAGMA temp_store").first())
                    return try row.decode(column: "temp_store", as: Int.self)
                }
            }
            let store = try await tempStore(bulk: true)
            #expect(store == 2, "MEMORY")
        }
    }

    @Test("PostgreSQL: the server's connections run without just-in-time compilation")
    func postgresWithoutJIT() async throws {
        try await TestApp.run { t in
            guard case .postgres = t.app.asb.config.database else { return }  // PostgreSQL only
            let row = try #require(try await t.app.db.sql.raw("SHOW jit").first())
            #expect(try row.decode(column: "jit", as: String.self) == "off")
        }
    }

    @Test("sqlite::memory: keeps its data in a directory only this user reads, removed when the application stops")
    func temporaryDatabase() async throws {
        let app = try await Application.make(.testing)
        var config = AppConfig(bcryptCost: 4)
        config.database = .sqliteMemory
        let directory: URL
        do {
            try await ASBServer.configure(app, config: config)
            try await app.autoMigrate()
            let temporary = try #require(app.asb.temporaryDatabase)
            directory = temporary.directory
            let attributes = try FileManager.default.attributesOfItem(atPath: directory.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o700)
            let size = try FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? NSNumber
            #expect((size?.intValue ?? 0) > 0, "the migrated tables are in the file")
            #expect(try await Neighbourhood.query(on: app.db).count() >= 0)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
        #expect(!FileManager.default.fileExists(atPath: directory.path), "nothing of the database is left behind")
    }

    @Test("Configuration comes from ASB_ variables with defaults, and every bad key is named at once")
    func configuration() throws {
        let defaults = try AppConfig.fromEnvironment([:])
        #expect(defaults.database == .sqliteFile("asb.sqlite"))
        #expect(defaults.tokenLifetime == 12 * 3600)
        #expect(defaults.autoMigrate)

        #expect(try AppConfig.fromEnvironment(["ASB_DATABASE_URL": "sqlite::memory:"]).database == .sqliteMemory)
        #expect(try AppConfig.fromEnvironment(["ASB_DATABASE_URL": "sqlite:/var/lib/asb/asb.sqlite"]).database
                == .sqliteFile("/var/lib/asb/asb.sqlite"))
        #expect(try AppConfig.fromEnvironment(["ASB_DATABASE_URL": "postgres://u:p@db.example:5432/asb"]).database
                == .postgres(url: "postgres://u:p@db.example:5432/asb"))
        let tuned = try AppConfig.fromEnvironment(["ASB_TOKEN_TTL_HOURS": "8", "ASB_BCRYPT_COST": "10", "ASB_AUTO_MIGRATE": "false"])
        #expect(tuned.tokenLifetime == 8 * 3600 && tuned.bcryptCost == 10 && !tuned.autoMigrate)

        #expect {
            try AppConfig.fromEnvironment(["ASB_DATABASE_URL": "mysql://x", "ASB_BCRYPT_COST": "99", "ASB_TOKEN_TTL_HOURS": "soon"])
        } throws: { error in
            let problems = (error as? AppConfig.Invalid)?.problems ?? []
            return problems.count == 3 && problems.contains { $0.hasPrefix("ASB_DATABASE_URL") }
                && problems.contains { $0.hasPrefix("ASB_BCRYPT_COST") } && problems.contains { $0.hasPrefix("ASB_TOKEN_TTL_HOURS") }
        }
    }

    @Test("The contract's enums and ASBCore's agree case for case")
    func enumsAgree() {
        func same<A: RawRepresentable & CaseIterable, B: RawRepresentable & CaseIterable>(_: A.Type, _: B.Type) -> Bool
        where A.RawValue == B.RawValue, A.RawValue: Hashable {
            Set(A.allCases.map(\.rawValue)) == Set(B.allCases.map(\.rawValue))
        }
        #expect(same(Role.self, Components.Schemas.Role.self))
        #expect(same(ReportChannel.self, Components.Schemas.ReportChannel.self))
        #expect(same(IncidentCategory.self, Components.Schemas.IncidentCategory.self))
        #expect(same(HateStrand.self, Components.Schemas.HateStrand.self))
        #expect(same(ASBLimb.self, Components.Schemas.ASBLimb.self))
        #expect(same(ContactMethod.self, Components.Schemas.ContactMethod.self))
        #expect(same(PartyRole.self, Components.Schemas.PartyRole.self))
        #expect(same(CaseStatus.self, Components.Schemas.CaseStatus.self))
        #expect(same(Priority.self, Components.Schemas.Priority.self))
        #expect(same(AgencyGuidance.self, Components.Schemas.AgencyGuidance.self))
        #expect(same(EvidenceType.self, Components.Schemas.Attachment._TypePayload.self))
        #expect(same(EnforcementType.self, Components.Schemas.EnforcementType.self))
        #expect(same(SharedField.self, Components.Schemas.SharedField.self))
        #expect(same(SupportNeed.self, Components.Schemas.SupportNeed.self))
        #expect(same(ClosureReason.self, Components.Schemas.ClosureReason.self))
    }
}
