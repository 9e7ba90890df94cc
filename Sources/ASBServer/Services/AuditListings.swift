import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation

/// The index by person of person searches' audit entries on SQLite: who was shown whom.
///
/// A person search lists up to 50 people and records an audit entry for each (`party.search`).
/// In the index of entries by record (`audit_events_entity_idx`, ordered by person) each entry
/// landed on a page of its own, and SQLite's log takes every page a commit changes whole: at
/// 1,000,000 cases a search wrote some 50 random pages and its answer waited for them, most of
/// its time. On SQLite that index leaves search entries out, and they are indexed here instead,
/// as sorted runs merged behind the searches (a log-structured merge, made of ordinary tables):
///
/// - the searches write only their entries, appended to the trail;
/// - `flush`, every second under `asb serve`, reads the entries written since the last
///   (by SQLite's row number, which rises in commit order: there is one writer) and writes them
///   as a new run, rows sorted by person in `audit_listings` keyed (run, person, entry), run ids
///   rising, so each run is written at the index's end, page after page;
/// - `compact` merges `fanout` runs of one size class into one, read in order and written in
///   order, so a person's trail reads a few runs (fewer than `fanout` of each size class);
/// - `audit_listing_runs` lists the runs a reader uses and `audit_listing_state` how far into
///   the trail they reach; a new or merged run is listed in one transaction with that mark (or
///   in place of its sources), and `collectGarbage` deletes rows of runs no longer listed.
///
/// A person's trail (`about`) reads each listed run at the person and the entries past the mark:
/// each search is in it from the moment it is answered. The index's own transactions need not
/// reach the disk at their commit (`WriteTransactions.run(derived:)`): all of it is made again
/// from the trail. PostgreSQL logs a change to an index page as a small record, not the page,
/// so there the index by record keeps the search entries (at 1,000,000 cases its searches' p95
/// was 13.8–15.4 ms) and this index is not made.
enum AuditListings {
    static let action = AuditLog.Action.partySearch
    /// Runs merged into one: runs of one size class (entries within a factor of `fanout`).
    static let fanout = 16
    /// Rows written a transaction: each holds SQLite's one write lock for a few milliseconds.
    static let chunk = 500
    /// The most entries one flush makes a run of (the rest wait for the next).
    static let runLimit = 100_000
    static let flushInterval: TimeInterval = 1
    static let compactInterval: TimeInterval = 30
    /// The most trail entries (of any kind) a flush's read looks at.
    static let scanWindow = 10_000
    /// One flush or merge at a time in this process (an SQLite file has one `asb serve`).
    private static let maintenance = AsyncMutex()

    /// Whether `db` keeps this index: SQLite does; PostgreSQL indexes search entries by record.
    static func kept(on db: any Database) throws -> Bool {
        try db.sql.dialect.name == "sqlite"
    }

    // MARK: Reading

    /// The audit entries about a person (a condition on `audit_events`): on SQLite the entries
    /// naming them (the index by record), those of searches that listed them (each listed run)
    /// and those of searches past the runs' mark (the trail's last few seconds); on PostgreSQL
    /// the index by record holds them all.
    static func about(party: UUID, on db: any Database) throws -> SQLQueryString {
        let text = party.text
        guard try kept(on: db) else { return "(entity_type = 'party' AND entity_id = \(bind: text))" }
        let search = action.rawValue
        return """
            ((entity_type = 'party' AND entity_id = \(bind: text) AND action <> '\(unsafeRaw: search)') OR id IN (\
            SELECT event_id FROM audit_listings WHERE run IN (SELECT run FROM audit_listing_runs) AND party_id = \(bind: text) \
            UNION ALL SELECT id FROM audit_events WHERE rowid > (SELECT last_rowid FROM audit_listing_state) \
            AND action = '\(unsafeRaw: search)' AND entity_type = 'party' AND entity_id = \(bind: text)))
            """
    }

    // MARK: New runs

    /// Makes a run of the search entries written since the last (at most `runLimit`), written
    /// `chunk` rows a transaction and then listed, with the new mark, in one more; returns the
    /// entries indexed. Nothing on PostgreSQL, or when nothing was written to the trail since.
    @discardableResult
    static func flush(writes: WriteTransactions, db: any Database, chunk: Int = chunk, runLimit: Int = runLimit,
                      scanWindow: Int = scanWindow) async throws -> Int {
        guard try kept(on: db) else { return 0 }
        return try await maintenance.holding {
            let sql = try db.sql
            let mark = try await sql.raw("SELECT last_rowid FROM audit_listing_state").first()?.decode(column: "last_rowid", as: Int.self) ?? 0
            // Read first: entries written after it wait for the next flush.
            let end = try await sql.raw("SELECT COALESCE(MAX(rowid), 0) AS n FROM audit_events").first()?.decode(column: "n", as: Int.self) ?? 0
            // Nothing written since the last: no transaction (an idle server wrote one a second).
            guard end > mark else { return 0 }
            // `chunk` entries a read: a read holds one of the few connections the requests read with.
            var listings: [Listing] = []
            var through = mark
            while through < end {
                let batch = min(chunk, runLimit - listings.count)
                guard batch > 0 else { break }
                // At most `scanWindow` entries looked at a read (after demo data, millions hold no search).
                let window = min(end, through + scanWindow)
                let rows = try await PreparedReads.all("""
                    SELECT rowid AS n, id, entity_id FROM audit_events WHERE rowid > \(bind: through) AND rowid <= \(bind: window) \
                    AND action = '\(unsafeRaw: action.rawValue)' ORDER BY rowid LIMIT \(literal: batch)
                    """, on: db)
                for row in rows {
                    listings.append(Listing(party: try row.decode(column: "entity_id", as: String.self), event: try row.decode(column: "id", as: UUID.self)))
                }
                // Up to the last entry read when the batch was full, else to the window's end.
                through = rows.count == batch ? try rows.last?.decode(column: "n", as: Int.self) ?? window : window
            }
            listings.sort()
            let run = OrderedID.next(at: Date())
            try await write(listings, run: run, writes: writes, db: db, chunk: chunk)
            let (count, newMark) = (listings.count, through)
            try await writes.run(on: db, derived: true) { db in
                let sql = try db.sql
                if count > 0 {
                    try await sql.raw("INSERT INTO audit_listing_runs (run, entries) VALUES (\(bind: run), \(bind: count))").run()
                }
                try await sql.raw("UPDATE audit_listing_state SET last_rowid = \(bind: newMark)").run()
            }
            return count
        }
    }

    /// One row of a run: a person listed and the entry that says so. Ordered as the index orders
    /// them: by their bytes (a person's id and an entry's are upper-case hex text).
    struct Listing: Comparable, Sendable {
        var party: String
        var event: UUID

        init(party: String, event: UUID) {
            self.party = party
            self.event = event
        }

        init(row: any SQLRow) throws {
            self.init(party: try row.decode(column: "party_id", as: String.self), event: try row.decode(column: "event_id", as: UUID.self))
        }

        static func < (a: Listing, b: Listing) -> Bool {
            if a.party != b.party { return a.party < b.party }
            return withUnsafeBytes(of: a.event.uuid) { x in
                withUnsafeBytes(of: b.event.uuid) { y in memcmp(x.baseAddress!, y.baseAddress!, 16) < 0 }
            }
        }
    }

    /// Writes rows of an unlisted run, `chunk` a transaction, each insert made before the write
    /// lock is taken (SQLite's own values, `BulkInsert.SQLiteRows`).
    private static func write(_ listings: [Listing], run: UUID, writes: WriteTransactions, db: any Database, chunk: Int) async throws {
        for start in stride(from: 0, to: listings.count, by: chunk) {
            let part = listings[start..<min(start + chunk, listings.count)]
            var binds: [SQLiteData] = []
            binds.reserveCapacity(part.count * 3)
            for listing in part {
                binds.append(run.sqliteBind)
                binds.append(listing.party.sqliteBind)
                binds.append(listing.event.sqliteBind)
            }
            var insert = BulkInsert(for: db)
            insert.add(.init(table: "audit_listings", columns: ["run", "party_id", "event_id"], binds: binds, count: part.count))
            let statements = insert.statements
            try await writes.run(on: db, bulk: true, derived: true) { db in try await writes.insert(statements, on: db) }
        }
    }

    // MARK: Merging runs

    /// A listed run and its size.
    struct Run: Sendable {
        var id: UUID
        var entries: Int
    }

    /// The size class of a run of `entries`: runs within a factor of `fanout` share one.
    static func sizeClass(_ entries: Int, fanout: Int) -> Int {
        var n = max(entries, 1)
        var size = 0
        while n >= fanout {
            n /= fanout
            size += 1
        }
        return size
    }

    /// The runs to merge next: the oldest `fanout` runs of the smallest size class that has as
    /// many, or nil.
    static func choose(_ runs: [Run], fanout: Int) -> [Run]? {
        let bySize = Dictionary(grouping: runs) { sizeClass($0.entries, fanout: fanout) }
        guard let size = bySize.filter({ $0.value.count >= fanout }).keys.min() else { return nil }
        return Array(bySize[size]!.sorted { $0.id.text < $1.id.text }.prefix(fanout))
    }

    /// Merges runs while a size class has `fanout` of them, then deletes what is no longer
    /// listed; returns the entries merged. Nothing on PostgreSQL.
    @discardableResult
    static func compact(writes: WriteTransactions, db: any Database, fanout: Int = fanout, chunk: Int = chunk) async throws -> Int {
        guard try kept(on: db) else { return 0 }
        return try await maintenance.holding {
            var merged = 0
            while let sources = choose(try await runs(on: db), fanout: fanout) {
                merged += try await merge(sources, writes: writes, db: db, chunk: chunk)
            }
            _ = try await collect(writes: writes, db: db, chunk: chunk)
            return merged
        }
    }

    private static func runs(on db: any Database) async throws -> [Run] {
        try await db.sql.raw("SELECT run, entries FROM audit_listing_runs").all().map {
            Run(id: try $0.decode(column: "run", as: UUID.self), entries: try $0.decode(column: "entries", as: Int.self))
        }
    }

    /// Writes the merged run from `sources`, each read in index order `chunk` rows at a time,
    /// then lists it in their place.
    private static func merge(_ sources: [Run], writes: WriteTransactions, db: any Database, chunk: Int) async throws -> Int {
        let target = OrderedID.next(at: Date())
        var readers = sources.map { RunReader(run: $0.id) }
        for index in readers.indices { try await readers[index].fill(on: db, batch: chunk) }
        var out: [Listing] = []
        var written = 0
        while true {
            var first: (index: Int, listing: Listing)?
            for index in readers.indices {
                if let head = readers[index].head, first == nil || head < first!.listing { first = (index, head) }
            }
            guard let first else { break }
            out.append(first.listing)
            try await readers[first.index].advance(on: db, batch: chunk)
            if out.count >= chunk {
                try await write(out, run: target, writes: writes, db: db, chunk: chunk)
                written += out.count
                out.removeAll(keepingCapacity: true)
            }
        }
        try await write(out, run: target, writes: writes, db: db, chunk: chunk)
        written += out.count
        let expected = sources.reduce(0) { $0 + $1.entries }
        guard written == expected else {
            throw MergeFailure(description: "A merge of the person index read \(written) rows of \(expected).")
        }
        try await writes.run(on: db, derived: true) { db in
            let sql = try db.sql
            try await sql.raw("DELETE FROM audit_listing_runs WHERE run IN (\(binds: sources.map(\.id)))").run()
            try await sql.raw("INSERT INTO audit_listing_runs (run, entries) VALUES (\(bind: target), \(bind: expected))").run()
        }
        return expected
    }

    struct MergeFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// One source run of a merge, read in index order a batch at a time.
    private struct RunReader {
        let run: UUID
        private var buffer: [Listing] = []
        private var position = 0
        private var last: Listing?
        private var exhausted = false

        init(run: UUID) {
            self.run = run
        }

        var head: Listing? { position < buffer.count ? buffer[position] : nil }

        mutating func advance(on db: any Database, batch: Int) async throws {
            position += 1
            if position >= buffer.count, !exhausted { try await fill(on: db, batch: batch) }
        }

        mutating func fill(on db: any Database, batch: Int) async throws {
            var query: SQLQueryString = "SELECT party_id, event_id FROM audit_listings WHERE run = \(bind: run)"
            if let last {
                query = "\(query) AND \(SQLQueryString.after("party_id", last.party, then: "event_id", last.event, descending: false))"
            }
            buffer = try await PreparedReads.all("\(query) ORDER BY party_id, event_id LIMIT \(literal: batch)", on: db)
                .map(Listing.init(row:))
            position = 0
            last = buffer.last ?? last
            exhausted = buffer.count < batch
        }
    }

    /// Deletes the rows of runs that are not listed (the sources of merges; a run whose flush or
    /// merge stopped before it was listed), a key range of about `chunk` rows a transaction;
    /// returns the runs deleted. Runs are made and listed only holding `maintenance`, as this is.
    @discardableResult
    static func collectGarbage(writes: WriteTransactions, db: any Database, chunk: Int = chunk) async throws -> Int {
        guard try kept(on: db) else { return 0 }
        return try await maintenance.holding { try await collect(writes: writes, db: db, chunk: chunk) }
    }

    private static func collect(writes: WriteTransactions, db: any Database, chunk: Int) async throws -> Int {
        let sql = try db.sql
        let keep = Set(try await runs(on: db).map(\.id))
        func run(after: UUID?) async throws -> UUID? {
            let later: SQLQueryString = after.map { "WHERE run > \(bind: $0)" } ?? ""
            return try await sql.raw("SELECT run FROM audit_listings \(later) ORDER BY run LIMIT 1").first()?.decode(column: "run", as: UUID.self)
        }
        var deleted = 0
        var after: UUID?
        while let run = try await run(after: after) {
            after = run
            guard !keep.contains(run) else { continue }
            // Up to the person `chunk` rows in, then the rest.
            var done = false
            while !done {
                let boundary = try await sql.raw("""
                    SELECT party_id FROM audit_listings WHERE run = \(bind: run) ORDER BY party_id LIMIT 1 OFFSET \(literal: chunk)
                    """).first()?.decode(column: "party_id", as: String.self)
                let upTo: SQLQueryString = boundary.map { " AND party_id <= \(bind: $0)" } ?? ""
                try await writes.run(on: db, bulk: true, derived: true) { db in
                    try await db.sql.raw("DELETE FROM audit_listings WHERE run = \(bind: run)\(upTo)").run()
                }
                done = boundary == nil
            }
            deleted += 1
        }
        return deleted
    }

    // MARK: Making the index again

    /// Makes the index again from the search entries in the trail, as one run reaching to the
    /// trail's end (an import; the migration that made the index). Inside the caller's
    /// transaction, if any. Nothing on PostgreSQL.
    static func rebuild(on db: any Database) async throws {
        guard try kept(on: db) else { return }
        let sql = try db.sql
        try await sql.raw("DELETE FROM audit_listings").run()
        try await sql.raw("DELETE FROM audit_listing_runs").run()
        let run = OrderedID.next(at: Date())
        try await sql.raw("""
            INSERT INTO audit_listings (run, party_id, event_id) \
            SELECT \(bind: run), entity_id, id FROM audit_events WHERE action = '\(unsafeRaw: action.rawValue)' ORDER BY entity_id, id
            """).run()
        let count = try await sql.raw("SELECT COUNT(*) AS n FROM audit_listings").first()?.decode(column: "n", as: Int.self) ?? 0
        if count > 0 {
            try await sql.raw("INSERT INTO audit_listing_runs (run, entries) VALUES (\(bind: run), \(bind: count))").run()
        }
        try await sql.raw("UPDATE audit_listing_state SET last_rowid = (SELECT COALESCE(MAX(rowid), 0) FROM audit_events)").run()
    }
}
