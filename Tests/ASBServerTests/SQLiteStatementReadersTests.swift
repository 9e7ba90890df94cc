@testable import ASBServer
import ASBCore
import Fluent
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing
import Vapor

/// `PreparedReads` on an SQLite file outside a transaction: connections of their own that keep
/// each statement prepared (`SQLiteStatementReaders`). They must read what SQLiteNIO's
/// connections read, see every commit made before the read, never stand in for a transaction's
/// own connection, and get out of the way when SQLite needs the file to itself.
@Suite("SQLite statement readers")
struct SQLiteStatementReadersTests {
    /// Runs `body` on SQLite only (the PostgreSQL lane has no such readers): a file, or with
    /// `memory` the database of `sqlite::memory:`, whose write transactions run on the readers'
    /// own pool of connections (there is no writer's connection).
    static func onSQLite(memory: Bool = false, _ body: (TestApp, SQLiteStatementReaders, any SQLiteDatabase) async throws -> Void) async throws {
        guard TestDatabase.postgresURL == nil else { return }
        try await TestApp.run(configure: { if memory { $0.database = .sqliteMemory } }) { t in
            guard let sqlite = t.app.db as? any SQLiteDatabase else { return }
            let readers = try #require(SQLiteStatementReaders.attached(to: t.app.db))
            try await body(t, readers, sqlite)
        }
    }

    static func caseCount(_ db: any Database) async throws -> Int {
        try await PreparedReads.all("SELECT COUNT(*) AS n FROM cases", on: db).first?.decode(column: "n", as: Int.self) ?? -1
    }

    @Test("A read's statement is prepared once per connection, and a read sees every commit made before it")
    func preparedOnceAndCurrent() async throws {
        try await Self.onSQLite { t, readers, _ in
            let db = t.app.db
            let before = try await Self.caseCount(db)
            let prepared = readers.prepared
            #expect(prepared >= 1)
            for _ in 0..<6 { #expect(try await Self.caseCount(db) == before) }
            // Two threads read, so a text is prepared at most twice in all.
            #expect(readers.prepared <= prepared + 1)
            // A report written (committed by the writer) is in the next read of the same statement:
            // no statement keeps its snapshot past its read.
            let receipt = try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 31))
            #expect(receipt.status == .created)
            #expect(try await Self.caseCount(db) == before + 1)
            let afterReport = readers.prepared
            for _ in 0..<6 { #expect(try await Self.caseCount(db) == before + 1) }
            #expect(readers.prepared <= afterReport + 1)
        }
    }

    @Test("A kept statement run with other values is not prepared again: a case page's reads, case after case")
    func notPreparedAgainForOtherValues() async throws {
        try await Self.onSQLite { t, readers, _ in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: 12, seed: 9))
            let cases = try await ASBCase.query(on: t.app.db).all()
            #expect(cases.count == 12)
            // Every model a case page reads by case (`Model.stored`), for each case in turn.
            for asbCase in cases {
                let id = try asbCase.requireID()
                _ = try await CaseParty.stored("WHERE case_id = \(bind: id) ORDER BY created_at", on: t.app.db)
                _ = try await CaseMilestone.stored("WHERE case_id = \(bind: id)", on: t.app.db)
                _ = try await ClosureProposal.stored("WHERE case_id = \(bind: id) ORDER BY proposed_at DESC", on: t.app.db)
                _ = try await ContactPlan.stored("WHERE case_id = \(bind: id) AND active = \(bind: true)", on: t.app.db)
            }
            #expect(readers.prepared > 0)
            #expect(readers.reprepared == 0)
            // Fewer values than the statement takes: refused, nothing left over from the last run.
            await #expect(throws: SQLiteReadError.self) {
                try await readers.all("SELECT id FROM cases WHERE id = ?1 AND status = ?2", [.text("x")])
            }
        }
    }

    @Test("Case pages, case lists, the triage queue and person searches read nothing through SQLiteNIO outside a transaction: every statement is kept")
    func requestReadsAllKept() async throws {
        try await Self.onSQLite { t, readers, _ in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: 12, seed: 14))
            #expect(try await t.send(.POST, "/api/v1/reports", json: Fixtures.webReport(seed: 32)).status == .created, "a case to triage")
            let (_, leader) = try await t.staffToken(.teamLeader)
            let queries = QueryLog()
            var logger = Logger(label: "statement-readers-test") { _ in QueryLog.Handler(log: queries) }
            logger.logLevel = .debug
            let db = try #require(t.app.databases.database(.sqlite, logger: logger, on: t.app.eventLoopGroup.next()))
            let before = readers.prepared
            var others = 0, listed = 0, found = 0
            // A case page: the case, its people and their other cases, follow-ups, the closure and its reporter count.
            for asbCase in try await ASBCase.query(on: t.app.db).all() {
                let detail = try await CaseService(app: t.app, db: db, requestID: nil).detail(asbCase.reference, by: .staff(leader))
                others += detail.otherCases.count
                _ = try await ClosureService(app: t.app, db: db, requestID: nil).view(of: asbCase.reference, by: .staff(leader))
            }
            // The case list and its count, the triage queue (its cases' first pending deadlines), people by postcode.
            let cases = CaseService(app: t.app, db: db, requestID: nil)
            listed += try await cases.list(.init(), cursor: nil, limit: 5, by: leader).items.count
            listed += try await cases.count(.init(), upTo: 50, by: leader)
            let calendar = try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
            let triage = try await QueueService(db: db).page(.triage, for: leader, calendar: calendar, now: t.app.asb.clock.now(), cursor: nil, limit: 5)
            for postcode in Set(try await Party.query(on: t.app.db).all().compactMap(\.postcode)).sorted().prefix(3) {
                found += try await PartyService(app: t.app, db: db, requestID: nil)
                    .search(q: nil, postcode: postcode, tenancyReference: nil, by: leader).count
            }
            #expect(others > 0 && listed > 5 && found > 0 && triage.items.contains { $0.milestone != nil },
                    "people with other cases, cases listed, people found, a deadline in triage")
            #expect(readers.prepared > before)
            // Statements SQLiteNIO ran on the reading connections (it logs each; the kept ones are not).
            let unkept = queries.entries.filter { $0.database == DatabaseID.sqlite.string && $0.sql.hasPrefix("SELECT") }
            #expect(unkept.map(\.sql) == [])
        }
    }

    @Test("An officer's queues, planned for the officer each time on PostgreSQL, are kept prepared on SQLite")
    func officersQueuesKeptPrepared() async throws {
        try await Self.onSQLite { t, readers, _ in
            _ = try await DemoData.generate(t.app, DemoDataTests.options(cases: 20, seed: 21))
            let officer = try #require(try await User.query(on: t.app.db).filter(\.$role == .officer).first())
            let calendar = try await CalendarService(app: t.app, db: t.app.db, requestID: nil).calendar()
            let now = t.app.asb.clock.now()
            let queues = QueueService(db: t.app.db)
            let before = readers.prepared
            for name in [QueueService.Name.dueSoon, .overdue, .contactDue] {
                _ = try await queues.page(name, for: officer, calendar: calendar, now: now, cursor: nil, limit: 5)
                _ = try await queues.count(name, for: officer, calendar: calendar, now: now, upTo: 50)
            }
            // Read through the kept statements (SQLite may prepare one again where its plan
            // looked at a value that changed, as it would a new one).
            #expect(readers.prepared > before)
        }
    }

    @Test("Integers, reals, text, blobs and NULLs read as SQLiteNIO reads them, columns by name and in order")
    func valuesAsSQLiteNIO() async throws {
        try await Self.onSQLite { t, readers, sqlite in
            let sql = "SELECT ?1 AS i, 2.5 AS r, ?2 AS t, x'00ff10' AS b, NULL AS n, 7 AS i"
            let binds: [SQLiteData] = [.integer(-42), .text("Llŷr's café — \u{1F3E0}")]
            let ours = try await readers.all(sql, binds)
            let theirs = try await sqlite.query(sql, binds).get()
            #expect(ours.count == 1 && theirs.count == 1)
            let row = try #require(ours.first)
            #expect(row.values == theirs[0].columns.map(\.data))
            #expect(row.allColumns == ["i", "r", "t", "b", "n", "i"])
            // A name given twice finds the first, as SQLiteNIO's rows do.
            #expect(try row.decode(column: "i", as: Int.self) == -42)
            #expect(try row.decode(column: "t", as: String.self) == "Llŷr's café — \u{1F3E0}")
            #expect(try row.decodeNil(column: "n"))
            #expect(try !row.decodeNil(column: "b"))
            #expect(throws: (any Error).self) { try row.decode(column: "missing", as: Int.self) }
            // No rows: an empty answer.
            #expect(try await readers.all("SELECT id FROM cases WHERE reference = ?1", [.text("none")]).isEmpty)
        }
    }

    @Test("A statement SQLite refuses is a clear error, and the connection reads on")
    func errorsLeaveTheConnectionUsable() async throws {
        try await Self.onSQLite { t, readers, _ in
            await #expect(throws: SQLiteReadError.self) { try await readers.all("SELECT missing FROM nowhere", []) }
            do {
                _ = try await readers.all("SELECT missing FROM nowhere", [])
            } catch let error as SQLiteReadError {
                #expect(error.description.contains("no such table"))
            }
            // They only read.
            await #expect(throws: SQLiteReadError.self) { try await readers.all("DELETE FROM cases", []) }
            #expect(try await Self.caseCount(t.app.db) >= 0)
        }
    }

    @Test("Reads in a write transaction stay on its connection and see its own writes", arguments: [false, true])
    func transactionReadsOwnWrites(memory: Bool) async throws {
        try await Self.onSQLite(memory: memory) { t, readers, _ in
            let before = try await Self.caseCount(t.app.db)
            let seen = try await t.app.asb.writes.run(on: t.app.db) { db -> Int in
                // A row this transaction wrote, not yet committed, is in its own read.
                try await db.sql.raw("""
                    INSERT INTO case_reference_counters (year, last_number) VALUES (1999, 5)
                    ON CONFLICT (year) DO UPDATE SET last_number = 5
                    """).run()
                let rows = try await PreparedReads.all("SELECT last_number FROM case_reference_counters WHERE year = 1999", on: db)
                #expect(SQLiteStatementReaders.serving(db) == nil)
                return try rows.first?.decode(column: "last_number", as: Int.self) ?? -1
            }
            #expect(seen == 5)
            #expect(try await Self.caseCount(t.app.db) == before)
            #expect(SQLiteStatementReaders.serving(t.app.db) === readers)
        }
    }

    @Test("Closed, the readers open again on the next read; demo data can still take the file to itself")
    func closeAndReopen() async throws {
        try await Self.onSQLite { t, readers, _ in
            let count = try await Self.caseCount(t.app.db)
            readers.close()
            #expect(try await Self.caseCount(t.app.db) == count)
            // Readers open while demo data starts: it closes them to write with a rollback journal.
            let summary = try await DemoData.generate(t.app, DemoDataTests.options(cases: 12, seed: 5))
            #expect(summary.rollbackJournal)
            #expect(try await DemoDataTests.journalMode(t.app) == "wal")
            #expect(try await Self.caseCount(t.app.db) == count + 12)
        }
    }
}
