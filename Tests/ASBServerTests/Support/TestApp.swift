@testable import ASBServer
import ASBCore
import Fluent
import FluentSQL
import Foundation
import NIOCore
import Synchronization
import Testing
import Vapor
import VaporTesting

/// Which database the server tests run on: a fresh SQLite file per test by default, or a fresh
/// schema per test on the PostgreSQL server named by `ASB_TEST_DATABASE_URL`.
enum TestDatabase {
    static var postgresURL: String? {
        let url = ProcessInfo.processInfo.environment["ASB_TEST_DATABASE_URL"]
        return (url?.isEmpty ?? true) ? nil : url
    }

    static var name: String { postgresURL == nil ? "SQLite" : "PostgreSQL" }

    /// How many test apps may hold a database at once. Swift Testing starts every test together;
    /// each app keeps a connection pool open, so without a bound PostgreSQL runs out of
    /// connections (and SQLite of file handles) on a large suite.
    /// On PostgreSQL (2 cores) the suite took 371 s with 6, 299 s with 12 and 293 s with 20;
    /// 12 apps hold about 48 connections. `ASB_TEST_DATABASE_SLOTS` sets another bound.
    static let slots = TestSlots(count: ProcessInfo.processInfo.environment["ASB_TEST_DATABASE_SLOTS"].flatMap { Int($0) }
        ?? (postgresURL == nil ? 16 : 12))
}

/// SQLite files with every migration applied, one per calendar region (the migrations depend on
/// it), made once per test process and copied for each test: migrating took about 0.6 s a test
/// in a debug build, a copy a millisecond. The SQLite suite went from 194 to 162 s (331 to 246 s of
/// CPU) on 2 cores. The tests still run `autoMigrate()`, which finds every migration applied.
actor MigratedSQLite {
    static let shared = MigratedSQLite()

    struct TemplateError: Error, CustomStringConvertible { var description: String }

    private var made: [CalendarRegion: Task<String, any Error>] = [:]

    /// This process's template files: `asb-test-template_<pid>_<region>.sqlite`.
    private static let prefix = "asb-test-template_\(ProcessInfo.processInfo.processIdentifier)_"

    private init() {
        // Removed when the test process exits.
        atexit {
            let directory = FileManager.default.temporaryDirectory
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] where name.hasPrefix(MigratedSQLite.prefix) {
                try? FileManager.default.removeItem(at: directory.appendingPathComponent(name))
            }
        }
    }

    /// Copies the migrated file for `region` to `path` (which must not exist).
    func copy(for region: CalendarRegion, to path: String) async throws {
        let template = try await self.template(for: region)
        try FileManager.default.copyItem(atPath: template, toPath: path)
    }

    private func template(for region: CalendarRegion) async throws -> String {
        if let task = made[region] { return try await task.value }
        let task = Task<String, any Error> {
            let path = TestApp.sqlitePath(Self.prefix.dropFirst("asb-test-".count) + region.rawValue)
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            try await TestApp.withTemplateApp(region: region, database: .sqliteFile(path)) { app in
                try await app.autoMigrate()
            }
            // Everything in the one file: the copy must not need a write-ahead log beside it.
            // SQLite moves the log into the file and deletes it when the last connection closes,
            // which the app's shutdown did. (`PRAGMA wal_checkpoint(TRUNCATE)` with the pool open
            // waited for the other connections' read marks, the busy handler spinning: 80 s.)
            guard !FileManager.default.fileExists(atPath: path + "-wal") else {
                throw TemplateError(description: "The migrated template \(path) still has a write-ahead log after its app closed.")
            }
            return path
        }
        made[region] = task
        return try await task.value
    }
}

/// PostgreSQL's counterpart: a schema migrated once per calendar region and test process, and a
/// function in it that clones it (tables with their columns, defaults, checks and indexes, the
/// rows the migrations wrote, then the foreign keys) into each test's new schema in one round
/// trip. The PostgreSQL suite went from 214 to 198 s (269 to 250 s of CPU); cloning a whole
/// template database was no cheaper for the server than migrating (see `TestApp.run`).
actor MigratedPostgres {
    static let shared = MigratedPostgres()

    private var made: [CalendarRegion: Task<String, any Error>] = [:]

    /// Template schemas are named `asb_tpl_<unix time>_<pid>_<region>`; ones made more than six
    /// hours ago are left over from test runs that did not finish, and are dropped.
    private static let prefix = "asb_tpl_"
    private static let staleAfter: TimeInterval = 6 * 3600

    /// Makes `schema` as a clone of the migrated template for `region`, unless it exists.
    func clone(for region: CalendarRegion, into schema: String, on db: any SQLDatabase) async throws {
        let template = try await self.template(for: region)
        try await db.raw("SELECT \(ident: template).clone_to(\(bind: schema))").run()
    }

    private func template(for region: CalendarRegion) async throws -> String {
        if let task = made[region] { return try await task.value }
        let task = Task<String, any Error> {
            let now = Int(Date().timeIntervalSince1970)
            let schema = "\(Self.prefix)\(now)_\(ProcessInfo.processInfo.processIdentifier)_\(region.rawValue)".lowercased()
            try await TestApp.withTemplateApp(region: region, database: .postgres(url: TestDatabase.postgresURL!, searchPath: [schema])) { app in
                let sql = app.db as! any SQLDatabase
                try await Self.dropStale(before: now - Int(Self.staleAfter), on: sql)
                try await sql.raw("CREATE SCHEMA \(ident: schema)").run()
                try await app.autoMigrate()
                try await sql.raw(SQLQueryString(Self.cloneFunction(in: schema))).run()
            }
            return schema
        }
        made[region] = task
        return try await task.value
    }

    private static func dropStale(before cutoff: Int, on sql: any SQLDatabase) async throws {
        struct Row: Decodable { var nspname: String }
        let rows = try await sql.raw("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'asb\\_tpl\\_%'").all(decoding: Row.self)
        for row in rows {
            guard let made = Int(row.nspname.dropFirst(prefix.count).prefix { $0 != "_" }), made < cutoff else { continue }
            try await sql.raw("DROP SCHEMA IF EXISTS \(ident: row.nspname) CASCADE").run()
        }
    }

    /// `<template>.clone_to(target)`. `LIKE … INCLUDING ALL EXCLUDING INDEXES` copies a table's
    /// columns, defaults and checks; its keys, indexes and foreign keys are made again from their
    /// definitions under their own names (a copied index would get a generated name, and a
    /// migration's revert drops indexes by name). Constraint definitions name other tables without a
    /// schema when they are on the search path, so they are read with the template's path and run
    /// with the target's; an index definition always names its table's schema, which is replaced.
    /// Rows are copied before the indexes are built.
    private static func cloneFunction(in schema: String) -> String {
        let source = schema.replacingOccurrences(of: "'", with: "''")
        return """
            CREATE FUNCTION "\(schema)".clone_to(target text) RETURNS void LANGUAGE plpgsql AS $fn$
            DECLARE
                source text := '\(source)';
                t record;
                statements text[];
                statement text;
            BEGIN
                IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = target) THEN RETURN; END IF;
                EXECUTE format('CREATE SCHEMA %I', target);
                FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                         WHERE n.nspname = source AND c.relkind = 'r' ORDER BY c.relname LOOP
                    EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING ALL EXCLUDING INDEXES)', target, t.relname, source, t.relname);
                    EXECUTE format('INSERT INTO %I.%I SELECT * FROM %I.%I', target, t.relname, source, t.relname);
                END LOOP;
                PERFORM set_config('search_path', quote_ident(source), true);
                -- Primary and unique keys, then the other indexes, then the foreign keys.
                SELECT coalesce(array_agg(format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', target, c.relname, con.conname,
                                                 pg_get_constraintdef(con.oid)) ORDER BY c.relname, con.conname), '{}')
                  INTO statements
                  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = source AND con.contype IN ('p', 'u');
                SELECT statements || coalesce(array_agg(replace(pg_get_indexdef(i.indexrelid), ' ON ' || quote_ident(source) || '.',
                                                                ' ON ' || quote_ident(target) || '.') ORDER BY x.relname), '{}')
                  INTO statements
                  FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid JOIN pg_namespace n ON n.oid = x.relnamespace
                 WHERE n.nspname = source
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid AND con.contype IN ('p', 'u', 'x'));
                SELECT statements || coalesce(array_agg(format('ALTER TABLE %I.%I ADD CONSTRAINT %I %s', target, c.relname, con.conname,
                                                               pg_get_constraintdef(con.oid)) ORDER BY c.relname, con.conname), '{}')
                  INTO statements
                  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname = source AND con.contype = 'f';
                PERFORM set_config('search_path', quote_ident(target), true);
                FOREACH statement IN ARRAY statements LOOP
                    EXECUTE statement;
                END LOOP;
            END
            $fn$
            """
    }
}

/// A counting semaphore for async code.
actor TestSlots {
    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(count: Int) { free = count }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }
}

/// A clock that tests move by hand.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    init(_ start: Date) { current = start }

    var now: Date { lock.withLock { current } }
    func advance(by seconds: TimeInterval) { lock.withLock { current = current.addingTimeInterval(seconds) } }
    func set(_ date: Date) { lock.withLock { current = date } }

    var appClock: AppClock { AppClock(now: { [self] in self.now }) }
}

/// 2026-11-24 10:15 in London (GMT): a Tuesday.
let tuesdayMorning = ISO8601DateFormatter().date(from: "2026-11-24T10:15:00Z")!

/// A running application on its own database, with helpers to call it as a client would.
struct TestApp {
    let app: Application
    let clock: TestClock

    /// Builds the app exactly as `asb serve` does, but on a throwaway database and a test clock,
    /// runs `body`, and removes the database.
    static func run(
        clock: TestClock = TestClock(tuesdayMorning),
        /// Reuse one database across runs (a SQLite file name or PostgreSQL schema); the caller removes it.
        keeping database: String? = nil,
        configure adjust: (inout AppConfig) -> Void = { _ in },
        _ body: (TestApp) async throws -> Void
    ) async throws {
        var config = AppConfig(bcryptCost: 4)
        // Tests move the clock by days between steps; idle expiry and the public rate limit have
        // their own tests, which turn them back on.
        config.tokenIdleTimeout = 0
        config.publicRateLimit = 0
        var cleanup: (Application) async throws -> Void = { _ in }
        let name = database ?? "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        if let url = TestDatabase.postgresURL {
            config.database = .postgres(url: url, searchPath: [name])
            if database == nil { cleanup = { app in try await dropDatabase(name, app: app) } }
        } else {
            config.database = .sqliteFile(sqlitePath(name))
            if database == nil { cleanup = { app in try await dropDatabase(name, app: app) } }
        }
        adjust(&config)
        // A new SQLite database starts as a copy of one migrated once per region and process
        // (`MigratedSQLite`); the migrations below then find nothing left to do.
        // (PostgreSQL: a clone of a migrated schema, made below once the app is configured.
        // Copying a migrated template database with CREATE DATABASE … TEMPLATE and dropping it
        // after each test cost the server about as much as migrating a schema.)
        if case .sqliteFile(let path) = config.database, !FileManager.default.fileExists(atPath: path) {
            try await MigratedSQLite.shared.copy(for: config.calendarRegion, to: path)
        }

        await TestDatabase.slots.acquire()
        do {
            try await runHoldingSlot(config: config, clock: clock, name: name, cleanup: cleanup, body)
        } catch {
            await TestDatabase.slots.release()
            throw error
        }
        await TestDatabase.slots.release()
    }

    private static func runHoldingSlot(
        config: AppConfig, clock: TestClock, name: String, cleanup: (Application) async throws -> Void,
        _ body: (TestApp) async throws -> Void
    ) async throws {
        let app = try await Application.make(.testing)
        do {
            try await ASBServer.configure(app, config: config, clock: clock.appClock)
            if case .postgres = config.database {
                // A clone of the schema migrated once per region and process (`MigratedPostgres`);
                // the migrations below then find nothing left to do.
                try await MigratedPostgres.shared.clone(for: config.calendarRegion, into: name, on: app.db as! any SQLDatabase)
            }
            try await app.autoMigrate()
            try await body(TestApp(app: app, clock: clock))
        } catch {
            try? await cleanup(app)
            try? await app.asyncShutdown()
            throw error
        }
        try await cleanup(app)
        try await app.asyncShutdown()
    }

    /// Runs `body` with an app configured as a test app of `region` on `database` (for making
    /// the migrated templates), and shuts it down.
    static func withTemplateApp(region: CalendarRegion, database: AppConfig.DatabaseLocation,
                                _ body: (Application) async throws -> Void) async throws {
        let app = try await Application.make(.testing)
        do {
            var config = AppConfig(bcryptCost: 4)
            config.calendarRegion = region
            config.database = database
            try await ASBServer.configure(app, config: config)
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw error
        }
        try await app.asyncShutdown()
    }

    static func sqlitePath(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("asb-test-\(name).sqlite").path
    }

    /// Removes a test database: the PostgreSQL schema, or the SQLite file and its WAL.
    static func dropDatabase(_ name: String, app: Application) async throws {
        if case .postgres = app.asb.config.database {
            try await (app.db as! any SQLDatabase).raw("DROP SCHEMA IF EXISTS \(ident: name) CASCADE").run()
        } else {
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: sqlitePath(name) + suffix) }
        }
    }

    // MARK: Requests

    struct Reply {
        let status: HTTPStatus
        let headers: HTTPHeaders
        let body: Data

        var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: body) as? [String: Any]) ?? [:]
        }
        var text: String { String(decoding: body, as: UTF8.self) }
        /// A top-level string field of the JSON body.
        func string(_ key: String) -> String? { json[key] as? String }
        func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(T.self, from: body)
        }
        /// Field names of a 422 problem's `errors`.
        var fieldErrors: [String] {
            (json["errors"] as? [[String: Any]] ?? []).compactMap { $0["field"] as? String }
        }
    }

    /// Every item of a paged API list (`items`, `nextCursor`), following the cursors from `path`
    /// (which has a query already), at most `max` items.
    func allPages(_ path: String, token: String, max: Int = 500) async throws -> [[String: Any]] {
        var items: [[String: Any]] = []
        var next: String?
        repeat {
            let page = try await send(.GET, path + (next.map { "&cursor=\($0)" } ?? ""), token: token)
            #expect(page.status == .ok, "\(page.text)")
            items += page.json["items"] as? [[String: Any]] ?? []
            next = page.json["nextCursor"] as? String
        } while next != nil && items.count < max
        return items
    }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, json: Any? = nil, raw: String? = nil, token: String? = nil,
              headers extra: [(String, String)] = []) async throws -> Reply {
        var headers = HTTPHeaders()
        if let token { headers.bearerAuthorization = .init(token: token) }
        var body: ByteBuffer?
        if let json {
            headers.contentType = .json
            body = ByteBuffer(data: try JSONSerialization.data(withJSONObject: json))
        } else if let raw {
            headers.contentType = .json
            body = ByteBuffer(string: raw)
        }
        for (name, value) in extra { headers.replaceOrAdd(name: name, value: value) }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
        return Reply(status: response.status, headers: response.headers, body: Data(buffer: response.body))
    }

    // MARK: Fixtures (generated people only)

    /// Creates a staff user directly through the service and returns a signed-in token.
    func staffToken(_ role: Role, username: String? = nil, agency: String? = nil) async throws -> (token: String, user: User) {
        let name = username ?? "\(role.rawValue.lowercased())\(staffNumbers.add(1, ordering: .relaxed).newValue)"
        var agencyID: UUID?
        if role == .partner {
            agencyID = try await PartnerAgency.query(on: app.db).filter(\.$name == (agency ?? "Police")).first()?.id
        }
        let user = try await UserService(app: app, db: app.db, requestID: nil).create(
            .init(username: name, displayName: "Test \(role.rawValue) \(name.suffix(4))", email: "\(name)@example.org",
                  role: role, partnerAgencyID: agencyID, password: "correct-horse-\(name)"),
            by: .system)
        let reply = try await send(.POST, "/api/v1/sessions", json: ["username": name, "password": "correct-horse-\(name)"])
        guard reply.status == .created, let token = reply.json["token"] as? String else {
            throw TestFailure("sign-in failed: \(reply.status) \(reply.text)")
        }
        return (token, user)
    }

    /// The case's current version, as `If-Match` wants it.
    /// A fresh token for a user made by `staffToken` (their password is `correct-horse-<username>`).
    func signIn(_ username: String) async throws -> String {
        let reply = try await send(.POST, "/api/v1/sessions", json: ["username": username, "password": "correct-horse-\(username)"])
        guard reply.status == .created, let token = reply.json["token"] as? String else {
            throw TestFailure("sign-in failed: \(reply.status) \(reply.text)")
        }
        return token
    }

    func version(of reference: String) async throws -> String {
        let stored = try #require(try await ASBCase.query(on: app.db).filter(\.$reference == reference).first())
        return "\"\(stored.version)\""
    }

    /// An officer's risk assessment through the API.
    @discardableResult
    func assess(_ reference: String, token: String, answers: [String: String] = [:], priority: Int? = nil,
                reason: String? = nil, notASB: Bool? = nil) async throws -> Reply {
        var body: [String: Any] = ["answers": answers]
        if let priority { body["priority"] = priority }
        if let reason { body["overrideReason"] = reason }
        if let notASB { body["notASB"] = notASB }
        return try await send(.POST, "/api/v1/cases/\(reference)/assessments", json: body, token: token)
    }

    /// A team leader allocates the case to an officer.
    @discardableResult
    func allocate(_ reference: String, to officer: User, token: String) async throws -> Reply {
        try await send(.PATCH, "/api/v1/cases/\(reference)", json: ["allocatedOfficerId": officer.id!.uuidString], token: token,
                       headers: [("If-Match", try await version(of: reference))])
    }

    /// The id of the person with `role` on a case, as the case page shows it.
    func partyID(_ role: String, on reference: String, token: String) async throws -> String {
        let detail = try await send(.GET, "/api/v1/cases/\(reference)", token: token)
        let match = (detail.json["parties"] as? [[String: Any]] ?? []).first { $0["role"] as? String == role }
        return try #require((match?["party"] as? [String: Any])?["id"] as? String)
    }

    /// The id of a partner agency of the seeded directory.
    func agencyID(_ name: String) async throws -> String {
        try #require(try await PartnerAgency.query(on: app.db).filter(\.$name == name).first()?.id).uuidString
    }

    /// Submits a valid public web report and returns the receipt JSON.
    func submitReport(_ overrides: [String: Any] = [:], token: String? = nil,
                      headers: [(String, String)] = []) async throws -> Reply {
        var body = Fixtures.webReport()
        for (key, value) in overrides { body[key] = value }
        return try await send(.POST, "/api/v1/reports", json: body, token: token, headers: headers)
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Invented people and places. Names come from a fixed list of made-up names; postcodes are
/// well-formed but chosen from the Southend (SS) area the landlord serves.
enum Fixtures {
    static let firstNames = ["Alex", "Sam", "Jordan", "Robin", "Morgan", "Casey", "Taylor", "Jamie"]
    static let lastNames = ["Example", "Sample", "Tester", "Placeholder", "Fictional", "Madeup"]

    static func person(_ seed: Int = Int.random(in: 0..<1000)) -> [String: Any] {
        let name = "\(firstNames[seed % firstNames.count]) \(lastNames[seed % lastNames.count])"
        return ["name": name, "email": "person\(seed)@example.org", "phone": "01632 960 \(String(format: "%03d", seed % 1000))",
                "address": "\(seed % 200 + 1) Example Road, Southend-on-Sea", "postcode": "ss26fy",
                "preferredContactMethod": "email"]
    }

    static func webReport(seed: Int = Int.random(in: 0..<1000)) -> [String: Any] {
        ["channel": "web", "anonymous": false, "reporter": person(seed),
         "description": "Loud music from the flat above every night after midnight.",
         "occurredOn": "2026-11-20", "occurredAt": "23:30", "location": "Example House stairwell",
         "postcode": "SS1 1AA", "categories": ["noise"], "hate": false, "hateStrands": [String](),
         "immediateDanger": false, "riskAnswers": [String: Any]()]
    }
}

/// The number in each made-up staff username: one count for the whole test process, so two
/// users made in one test never share a name (a random four-digit number did, about once in
/// 1,500 runs of a test that makes four: "A user called teamleader7996 already exists").
private let staffNumbers = Atomic<Int>(1000)
