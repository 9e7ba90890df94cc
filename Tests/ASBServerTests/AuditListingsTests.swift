@testable import ASBServer
import Fluent
import FluentSQL
import Foundation
import Testing
import Vapor

/// The person index of search entries on SQLite (`AuditListings`): sorted runs merged behind
/// the searches. On PostgreSQL the index by record keeps them.
@Suite("The person index of search entries")
struct AuditListingsTests {
    static let sqlite = TestDatabase.postgresURL == nil

    /// Six people on six reports; each found by a search of their own, with `between` run after
    /// each search, and all found by one more.
    private static func searched(_ t: TestApp, between: () async throws -> Void = {}) async throws -> (leader: String, people: [String]) {
        let leader = try await t.staffToken(.teamLeader)
        for n in 0..<6 {
            var reporter = Fixtures.person(40 + n)
            reporter["name"] = "Listed Person\(n)"
            #expect(try await t.submitReport(["reporter": reporter]).status == .created)
        }
        var people: [String] = []
        for n in 0..<6 {
            let reply = try await t.send(.GET, "/api/v1/parties?q=listed%20person\(n)", token: leader.token)
            people += ((try? JSONSerialization.jsonObject(with: reply.body)) as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            try await between()
        }
        #expect(try await t.send(.GET, "/api/v1/parties?q=listed", token: leader.token).status == .ok)
        #expect(people.count == 6)
        return (leader.token, people)
    }

    /// The search entries in a person's trail (every page).
    private static func searches(of person: String, _ t: TestApp, token: String) async throws -> [String] {
        try await t.allPages("/api/v1/audit?party=\(person)&limit=2", token: token)
            .filter { $0["action"] as? String == "party.search" }.compactMap { $0["id"] as? String }
    }

    private static func count(_ query: SQLQueryString, on db: any Database) async throws -> Int {
        try await db.sql.raw("SELECT COUNT(*) AS n FROM (\(query)) AS counted").first()?.decode(column: "n", as: Int.self) ?? -1
    }

    private static func runs(_ db: any Database) async throws -> [Int] {
        try await db.sql.raw("SELECT entries FROM audit_listing_runs ORDER BY run").all().map { try $0.decode(column: "entries", as: Int.self) }
    }

    /// Every search entry is once in the index, under the person it lists: in a listed run, or
    /// past the runs' mark.
    private static func expectIndexedOnce(_ db: any Database) async throws {
        let entries = try await count("SELECT id FROM audit_events WHERE action = 'party.search'", on: db)
        let listed = try await count("""
            SELECT l.event_id FROM audit_listings l JOIN audit_listing_runs r ON r.run = l.run \
            JOIN audit_events e ON e.id = l.event_id AND e.entity_id = l.party_id
            """, on: db)
        let distinct = try await count("""
            SELECT DISTINCT l.event_id FROM audit_listings l JOIN audit_listing_runs r ON r.run = l.run
            """, on: db)
        let past = try await count("""
            SELECT id FROM audit_events WHERE action = 'party.search' AND rowid > (SELECT last_rowid FROM audit_listing_state)
            """, on: db)
        #expect(entries > 0 && listed == distinct && listed + past == entries, "\(entries) entries, \(listed) listed, \(past) past the mark")
    }

    @Test("A search's entries are in each listed person's trail once: past the mark, in a run, and after runs merge",
          .enabled(if: sqlite))
    func trailThroughout() async throws {
        try await TestApp.run { t in
            let db = t.app.db
            let writes = t.app.asb.writes
            // A run after each person's search, two rows a transaction.
            let (leader, people) = try await Self.searched(t) {
                let flushed = try await AuditListings.flush(writes: writes, db: db, chunk: 2)
                #expect(flushed == 1)
            }
            var expected: [String: Set<String>] = [:]
            for person in people { expected[person] = Set(try await Self.searches(of: person, t, token: leader)) }
            #expect(people.allSatisfy { expected[$0]?.count == 2 })
            // Six runs of one; the search listing all six is past the mark.
            #expect(try await Self.runs(db) == [1, 1, 1, 1, 1, 1])
            try await Self.expectIndexedOnce(db)
            #expect(try await AuditListings.flush(writes: writes, db: db, chunk: 2) == 6)
            #expect(try await Self.runs(db) == [1, 1, 1, 1, 1, 1, 6])
            #expect(try await AuditListings.flush(writes: writes, db: db) == 0)
            try await Self.expectIndexedOnce(db)
            for person in people { #expect(Set(try await Self.searches(of: person, t, token: leader)) == expected[person]) }
            // Two runs of a size class make one (classes by powers of 2), read and written two rows
            // at a time: 1+1 three times, then 2+2, then 6+4; the last 2 and the 10 stay apart.
            #expect(try await AuditListings.compact(writes: writes, db: db, fanout: 2, chunk: 2) == 2 + 2 + 2 + 4 + 10)
            #expect(try await Self.runs(db).sorted() == [2, 10])
            #expect(try await Self.count("SELECT event_id FROM audit_listings", on: db) == 12)
            try await Self.expectIndexedOnce(db)
            for person in people { #expect(Set(try await Self.searches(of: person, t, token: leader)) == expected[person]) }
            // A later search is in the trail at once, past the mark.
            _ = try await t.send(.GET, "/api/v1/parties?q=listed%20person0", token: leader)
            #expect(try await Self.searches(of: people[0], t, token: leader).count == 3)
            try await Self.expectIndexedOnce(db)
        }
    }

    @Test("A flush takes at most its limit and sets the mark there; the rest wait for the next, in the trail throughout",
          .enabled(if: sqlite))
    func flushLimit() async throws {
        try await TestApp.run { t in
            let db = t.app.db
            let writes = t.app.asb.writes
            let (leader, people) = try await Self.searched(t)
            #expect(try await AuditListings.flush(writes: writes, db: db, runLimit: 5) == 5)
            #expect(try await Self.runs(db) == [5])
            try await Self.expectIndexedOnce(db)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2) }
            #expect(try await AuditListings.flush(writes: writes, db: db, runLimit: 5) == 5)
            // Looking at three entries of the trail a read, of any kind: the last two all the same.
            #expect(try await AuditListings.flush(writes: writes, db: db, runLimit: 5, scanWindow: 3) == 2)
            #expect(try await AuditListings.flush(writes: writes, db: db, runLimit: 5) == 0)
            #expect(try await Self.runs(db) == [5, 5, 2])
            try await Self.expectIndexedOnce(db)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2) }
        }
    }

    @Test("A flush with nothing written to the trail since the last writes nothing: an idle server leaves the file alone",
          .enabled(if: sqlite))
    func idleFlushWritesNothing() async throws {
        try await TestApp.run { t in
            let db = t.app.db
            let writes = t.app.asb.writes
            let (leader, _) = try await Self.searched(t)
            // Counts the flushes' writes: each moves the mark.
            let sql = try db.sql
            try await sql.raw("CREATE TABLE flush_writes (n INTEGER NOT NULL)").run()
            try await sql.raw("INSERT INTO flush_writes (n) VALUES (0)").run()
            try await sql.raw("""
                CREATE TRIGGER count_flush_writes AFTER UPDATE ON audit_listing_state \
                BEGIN UPDATE flush_writes SET n = n + 1; END
                """).run()
            func flushWrites() async throws -> Int {
                try await sql.raw("SELECT n FROM flush_writes").first()?.decode(column: "n", as: Int.self) ?? -1
            }
            #expect(try await AuditListings.flush(writes: writes, db: db) == 12)
            #expect(try await flushWrites() == 1)
            for _ in 0..<3 { #expect(try await AuditListings.flush(writes: writes, db: db) == 0) }
            #expect(try await flushWrites() == 1)
            // Something new in the trail: the next flush indexes it.
            #expect(try await t.send(.GET, "/api/v1/parties?q=listed%20person2", token: leader).status == .ok)
            #expect(try await AuditListings.flush(writes: writes, db: db) == 1)
            #expect(try await flushWrites() == 2)
            try await Self.expectIndexedOnce(db)
        }
    }

    @Test("Rows of a run never listed (a flush or merge that stopped) are not read, and are collected", .enabled(if: sqlite))
    func stoppedWork() async throws {
        try await TestApp.run { t in
            let db = t.app.db
            let writes = t.app.asb.writes
            let (leader, people) = try await Self.searched(t)
            #expect(try await AuditListings.flush(writes: writes, db: db) == 12)
            let sql = try db.sql
            try await sql.raw("""
                INSERT INTO audit_listings (run, party_id, event_id) SELECT \(bind: OrderedID.next(at: Date())), party_id, event_id \
                FROM audit_listings
                """).run()
            #expect(try await Self.count("SELECT event_id FROM audit_listings", on: db) == 24)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2) }
            try await Self.expectIndexedOnce(db)
            #expect(try await AuditListings.collectGarbage(writes: writes, db: db, chunk: 2) == 1)
            #expect(try await Self.count("SELECT event_id FROM audit_listings", on: db) == 12)
            #expect(try await AuditListings.collectGarbage(writes: writes, db: db) == 0)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2) }
        }
    }

    @Test("Flushes and merges asked for at once, beside searches, index each entry once", .enabled(if: sqlite))
    func concurrentMaintenance() async throws {
        try await TestApp.run { t in
            let (leader, people) = try await Self.searched(t)
            let db = t.app.db
            let writes = t.app.asb.writes
            try await withThrowingTaskGroup(of: Void.self) { group in
                for n in 0..<4 {
                    group.addTask {
                        for _ in 0..<3 {
                            _ = try await AuditListings.flush(writes: writes, db: db, chunk: 1 + n, runLimit: 3 + n)
                            _ = try await AuditListings.compact(writes: writes, db: db, fanout: 2, chunk: 2)
                        }
                    }
                    group.addTask { _ = try await t.send(.GET, "/api/v1/parties?q=listed", token: leader) }
                }
                try await group.waitForAll()
            }
            try await Self.expectIndexedOnce(db)
            while try await AuditListings.flush(writes: writes, db: db) > 0 {}
            _ = try await AuditListings.compact(writes: writes, db: db, fanout: 2, chunk: 2)
            try await Self.expectIndexedOnce(db)
            #expect(try await Self.count("SELECT id FROM audit_events WHERE action = 'party.search' AND rowid > (SELECT last_rowid FROM audit_listing_state)", on: db) == 0)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2 + 4) }
        }
    }

    @Test("Runs merge by size: the oldest `fanout` of the smallest size class that has as many")
    func choosingRuns() {
        func run(_ n: Int, _ entries: Int) -> AuditListings.Run {
            AuditListings.Run(id: UUID(uuidString: String(format: "00000000-0000-7000-8000-%012d", n))!, entries: entries)
        }
        #expect([1, 7, 8, 63, 64, 4_000, 1_000_000].map { AuditListings.sizeClass($0, fanout: 8) } == [0, 0, 1, 1, 2, 3, 6])
        #expect(AuditListings.sizeClass(0, fanout: 8) == 0)
        let big = (0..<8).map { run($0, 5_000) }
        let small = (10..<17).map { run($0, 100) }
        #expect(AuditListings.choose(big + small, fanout: 8)?.map(\.id) == big.map(\.id))
        let eighth = run(17, 90)
        #expect(AuditListings.choose(big + small + [eighth], fanout: 8)?.map(\.id) == (small + [eighth]).map(\.id))
        #expect(AuditListings.choose((small + [eighth]).reversed(), fanout: 8)?.map(\.id) == (small + [eighth]).map(\.id))
        #expect(AuditListings.choose(small, fanout: 8) == nil)
        #expect(AuditListings.choose([], fanout: 8) == nil)
    }

    @Test("Making the index finds the search entries already written, as one run to the trail's end; undoing it gives the index by record back",
          .enabled(if: sqlite))
    func migration() async throws {
        try await TestApp.run { t in
            let (leader, people) = try await Self.searched(t)
            let db = t.app.db
            try await CreateAuditListings().revert(on: db)
            try await CreateAuditListings().prepare(on: db)
            #expect(try await Self.runs(db) == [12])
            let mark = try await db.sql.raw("SELECT last_rowid AS n FROM audit_listing_state").first()?.decode(column: "n", as: Int.self)
            let end = try await db.sql.raw("SELECT MAX(rowid) AS n FROM audit_events").first()?.decode(column: "n", as: Int.self)
            #expect(mark != nil && mark == end)
            try await Self.expectIndexedOnce(db)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2) }
        }
    }

    @Test("A person's trail reads indexes only: by record, each run, and the trail past the mark by row number")
    func queryPlan() async throws {
        try await TestApp.run { t in
            let db = t.app.db
            let query: SQLQueryString = """
                SELECT id FROM audit_events WHERE \(try AuditListings.about(party: UUID(), on: db)) ORDER BY at, id LIMIT 20
                """
            if Self.sqlite {
                let plan = try await db.sql.raw("EXPLAIN QUERY PLAN \(query)").all().map { try $0.decode(column: "detail", as: String.self) }
                #expect(plan.contains { $0.contains("audit_events_entity_idx") }, "\(plan)")
                #expect(plan.contains { $0.contains("SEARCH audit_listings USING PRIMARY KEY (run=? AND party_id=?)") }, "\(plan)")
                #expect(plan.contains { $0.contains("SEARCH audit_events USING INTEGER PRIMARY KEY (rowid>?)") }, "\(plan)")
                #expect(!plan.contains { $0.hasPrefix("SCAN audit_events") }, "\(plan)")
            } else {
                // The tables are small here: told to avoid a full scan wherever an index can serve,
                // PostgreSQL still scans a table no index serves.
                let plan = try await db.transaction { db in
                    try await db.sql.raw("SET LOCAL enable_seqscan = off").run()
                    return try await db.sql.raw("EXPLAIN \(query)").all().map { try $0.decode(column: "QUERY PLAN", as: String.self) }
                }
                #expect(plan.contains { $0.contains("audit_events_entity_idx") }, "\(plan)")
                #expect(!plan.contains { $0.contains("Seq Scan on audit_events") }, "\(plan)")
            }
        }
    }

    @Test("On PostgreSQL the index by record keeps search entries: no runs are made and the trail finds every search",
          .enabled(if: !sqlite))
    func postgresKeepsTheIndexByRecord() async throws {
        try await TestApp.run { t in
            let (leader, people) = try await Self.searched(t)
            let db = t.app.db
            #expect(try await AuditListings.flush(writes: t.app.asb.writes, db: db) == 0)
            #expect(try await AuditListings.compact(writes: t.app.asb.writes, db: db) == 0)
            #expect(try await Self.count("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename LIKE 'audit_listing%'", on: db) == 0)
            for person in people { #expect(try await Self.searches(of: person, t, token: leader).count == 2) }
        }
    }

    @Test("The index's transactions commit without waiting for the disk; every other write still waits for it",
          .enabled(if: sqlite))
    func derivedCommits() async throws {
        try await TestApp.run { t in
            let writes = t.app.asb.writes
            let db = t.app.db
            @Sendable func setting(_ db: any Database) async throws -> String {
                "\(try await db.sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self) ?? -1)"
            }
            let durable = try await writes.run(on: db) { try await setting($0) }
            let derived = try await writes.run(on: db, derived: true) { try await setting($0) }
            struct Failed: Error {}
            await #expect(throws: Failed.self) { try await writes.run(on: db, derived: true) { _ in throw Failed() } }
            let after = try await writes.run(on: db) { try await setting($0) }
            // 2 is FULL (an fsync each commit), 1 NORMAL: the writer connection's setting.
            #expect(durable == "2" && after == "2" && derived == "1", "\(durable) \(derived) \(after)")
        }
    }
}
