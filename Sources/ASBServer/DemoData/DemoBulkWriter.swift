import ASBCore
import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation
import Vapor

/// Writes demo plans as rows, many cases to a transaction and many rows to a statement: the rows
/// `DemoServiceWriter` gets from the services, step by step, with the same rules from `ASBCore`
/// and the same row builders (a new case is intake's own `NewCase`; then
/// `IntakeService.makeIncident`, `CaseClock.reconcile` and `met`, `AuditLog.event`,
/// `BreachScanner.events`). `DemoDataTests` plays the same plans both ways and compares every
/// table, so a service that changes what it writes fails that test until this writer changes
/// with it.
///
/// Batches are built side by side (`DemoBatchBuilder`, one task each, as many as the machine has
/// cores) while the batch before them is written: building the rows took twice the time of
/// writing them, and one builder left a core idle. Reference numbers are given here, in the plans'
/// order, before a batch is built, so the data is the same whichever builder finishes first.
final class DemoBulkWriter {
    let app: Application
    let staff: DemoStaff
    let seed: UInt64
    let calendar: WorkingCalendar
    private var neighbourhoods: [Neighbourhood] = []
    private var counters: [Int: Int] = [:]
    /// Batches being built, oldest first, each with the reference counters after it.
    private var building: [(statements: Task<[BulkInsert.Statement], any Error>, counters: [Int: Int], cases: Int, from: Date)] = []
    /// The transaction batches are being written into, and the one before it, committing.
    private var open: TransactionFeed?
    private var committing: Task<Void, any Error>?
    /// Done when the last batch handed to a transaction is in it.
    private var lastBatch: EventLoopFuture<Void>?

    /// Batches built at once: one a core.
    static let builders = max(1, System.coreCount)

    /// The page cache of the connection that writes, in KiB (SQLite's default is 2,000).
    static let sqliteCacheKiB = 512 * 1024

    /// Batches a write transaction takes.
    let batchesPerTransaction: Int

    init(app: Application, staff: DemoStaff, seed: UInt64, calendar: WorkingCalendar, batchesPerTransaction: Int) {
        self.app = app
        self.staff = staff
        self.seed = seed
        self.calendar = calendar
        self.batchesPerTransaction = max(1, batchesPerTransaction)
    }

    /// Cases handed to the database so far.
    private(set) var writtenCases = 0

    /// On SQLite, the indexes taken off for the load (`start`), as SQLite keeps their
    /// definitions, to be made again at the end (`finish`, or `restore` after a failure).
    private var deferredIndexes: [String] = []

    /// On an SQLite file, whether the load writes with a rollback journal (`useRollbackJournal`)
    /// and the file goes back to write-ahead logging at the end (`restore`).
    private var rollbackJournal = false
    /// Whether the load was written with a rollback journal.
    private(set) var loadedWithRollbackJournal = false

    /// Reads what the rows depend on: the neighbourhoods and the reference counters. On SQLite it
    /// takes the secondary indexes that enforce nothing off until the end (`deferIndexes`) and,
    /// on a file no other process has open, writes without the log (`useRollbackJournal`);
    /// `note` hears when another has it open.
    func start(note: (String) -> Void = { _ in }) async throws {
        neighbourhoods = try await Neighbourhood.query(on: app.db).all()
        guard let sql = app.db as? any SQLDatabase else { throw DataTransfer.Failure(description: "No SQL database.") }
        struct Counter: Decodable { var year: Int; var last_number: Int }
        for row in try await sql.raw("SELECT year, last_number FROM case_reference_counters").all(decoding: Counter.self) {
            counters[row.year] = row.last_number
        }
        if app.db is any SQLiteDatabase {
            try await deferIndexes()
            try await useRollbackJournal(note: note)
        }
    }

    /// On an SQLite file, writes the load with a rollback journal rather than the write-ahead
    /// log. With the log every page was written twice, to the log at each commit and into the
    /// file at each checkpoint, the checkpoints on the writer's thread beside the builders, and
    /// the indexes made at the end were a few gigabytes of new pages copied from the log into
    /// the file after them; with a rollback journal new pages go to the file once, and the
    /// journal keeps only the few pages a transaction changes that were there before it, so a
    /// commit is as durable and a failed batch is taken back the same way.
    ///
    /// SQLite leaves the log only when no other connection has the file open: in WAL mode an
    /// open connection keeps a shared lock on it. This process's readers are closed first (the
    /// next read opens them again); if another process has the file open (a server running on
    /// it), the load keeps the log.
    private func useRollbackJournal(note: (String) -> Void) async throws {
        guard app.asb.writes.writer != nil else { return }
        app.databases.reinitialize(.sqlite)
        app.databases.reinitialize(.sqliteReports)
        SQLiteStatementReaders.attached(to: app.db)?.close()
        // SQLite refuses the switch at once (busy) rather than wait for the other connections.
        rollbackJournal = try await app.asb.writes.runAlone(on: app.db) { db in
            do {
                let row = try await db.sql.raw("PRAGMA journal_mode = DELETE").first()
                return try row?.decode(column: "journal_mode", as: String.self) == "delete"
            } catch let error as SQLiteError where error.reason == .busy {
                return false
            }
        }
        loadedWithRollbackJournal = rollbackJournal
        if !rollbackJournal {
            note("Another process has the database open: the load writes through SQLite's log, which is slower.")
        }
    }

    /// Drops the indexes that only speed reads (not a key, not unique) and keeps what SQLite
    /// stored of each (the statement that made it), to run again at the end. A case's rows went
    /// into dozens of indexes, many of them at places all over the index (a person's name and
    /// address, the timeline's and the audit trail's ids by time, months after the report), so
    /// that past a few hundred thousand cases the writer's thread, inserting into them and
    /// writing the pages they dirtied, was the generator's bottleneck; an index made at the end
    /// reads its table once and sorts.
    ///
    /// The same transaction records them in the file (`leftOutIndexes`), and the one that makes
    /// them again drops the record: a load stopped in between (Ctrl-C, SIGTERM, a crash, the
    /// power) left the file without 69 of its 70 indexes for good, every queue and search then
    /// reading whole tables; now the next `asb serve` or `asb demo-data` makes them
    /// (`makeLeftOutIndexes`).
    private func deferIndexes() async throws {
        struct Index: Decodable { var name: String; var sql: String }
        deferredIndexes = try await app.asb.writes.run(on: app.db) { db in
            let sql = try db.sql
            let indexes = try await sql.raw("""
                SELECT name, sql FROM sqlite_master
                WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' ORDER BY name
                """).all(decoding: Index.self)
            try await sql.raw("CREATE TABLE IF NOT EXISTS \(ident: Self.leftOutIndexes) (name TEXT PRIMARY KEY, sql TEXT NOT NULL)").run()
            for index in indexes {
                try await sql.raw("INSERT INTO \(ident: Self.leftOutIndexes) (name, sql) VALUES (\(bind: index.name), \(bind: index.sql))").run()
                try await sql.raw("DROP INDEX \(ident: index.name)").run()
            }
            return indexes.map(\.sql)
        }
    }

    /// On SQLite, the table that lists the indexes a load has left out until it makes them again.
    static let leftOutIndexes = "asb_left_out_indexes"

    /// On SQLite, makes every index a load recorded as left out (`deferIndexes`) that is not there,
    /// then drops the record, in one transaction, SQLite's sorter sorting runs on a second thread
    /// while the first reads (`threads`, `sortingCacheKiB`; the connection's settings are put
    /// back after). Returns how many it made: none when no load left any out.
    @discardableResult
    static func makeLeftOutIndexes(_ app: Application) async throws -> Int {
        guard app.db is any SQLiteDatabase else { return 0 }
        struct Statement: Decodable { var sql: String }
        struct Setting: Decodable { var value: Int }
        return try await app.asb.writes.run(on: app.db, bulk: true) { db in
            let sql = try db.sql
            let recorded = try await sql.raw("SELECT name FROM sqlite_master WHERE type = 'table' AND name = \(bind: Self.leftOutIndexes)")
                .first()
            guard recorded != nil else { return 0 }
            let missing = try await sql.raw("""
                SELECT sql FROM \(ident: Self.leftOutIndexes) AS left_out
                WHERE NOT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = left_out.name) ORDER BY name
                """).all(decoding: Statement.self)
            let cache = try await sql.raw("SELECT cache_size AS value FROM pragma_cache_size").first(decoding: Setting.self)?.value
            let threads = try await sql.raw("SELECT threads AS value FROM pragma_threads").first(decoding: Setting.self)?.value
            try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-Self.sortingCacheKiB))").run()
            try await sql.raw("PRAGMA threads = \(unsafeRaw: String(Self.builders))").run()
            for statement in missing { try await sql.raw(SQLQueryString(statement.sql)).run() }
            try await sql.raw("DROP TABLE \(ident: Self.leftOutIndexes)").run()
            if let cache { try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(cache))").run() }
            if let threads { try await sql.raw("PRAGMA threads = \(unsafeRaw: String(threads))").run() }
            return missing.count
        }
    }

    /// The page cache of the connection while it makes the deferred indexes, in KiB. SQLite's
    /// sorter takes its memory from it: it sorts what it has read in runs of this size, each on
    /// a second thread (`threads`) while the first reads on, then merges them. With the load's
    /// 512 MB, the index of a table of 1,000,000 rows was one run, sorted on one thread after the
    /// whole table was read, in half a gigabyte touched for the first time: 8 MB made the
    /// indexes of a 1,000,000-case file in 48–61 s against 84 s with 512 MB.
    static let sortingCacheKiB = 8 * 1024

    /// Makes the deferred indexes again, in one transaction, SQLite's sorter sorting runs on a
    /// second thread while the first reads (`threads`, `sortingCacheKiB`); then, if the load
    /// wrote with a rollback journal, puts the file back in write-ahead logging, even if making
    /// the indexes failed.
    func restore() async throws {
        do {
            try await makeDeferredIndexes()
        } catch {
            try? await returnToLog()
            throw error
        }
        try await returnToLog()
    }

    private func makeDeferredIndexes() async throws {
        guard !deferredIndexes.isEmpty else { return }
        try await Self.makeLeftOutIndexes(app)
        deferredIndexes = []
    }

    private func returnToLog() async throws {
        guard rollbackJournal else { return }
        try await app.asb.writes.runAlone(on: app.db) { db in
            try await db.sql.raw("PRAGMA journal_mode = WAL").run()
        }
        rollbackJournal = false
    }

    /// Gives the plans their references and starts building their rows; waits while as many
    /// batches as there are builders are being built, writing the oldest when it is ready.
    func add(_ plans: [DemoCasePlan]) async throws {
        guard !plans.isEmpty else { return }
        let database = app.db
        var references: [CaseReference] = []
        references.reserveCapacity(plans.count)
        for plan in plans {
            let year = CaseReferenceAllocator.year(of: plan.receivedAt)
            let number = (counters[year] ?? 0) + 1
            counters[year] = number
            references.append(CaseReference(year: year, number: number))
        }
        let (staff, seed, calendar, neighbourhoods, env) = (staff, seed, calendar, neighbourhoods, app.asb)
        let task = Task {
            let builder = DemoBatchBuilder(staff: staff, seed: seed, calendar: calendar, neighbourhoods: neighbourhoods, env: env,
                                           database: database)
            for (plan, reference) in zip(plans, references) { try builder.add(plan, reference: reference) }
            return try builder.statements(for: database)
        }
        building.append((task, counters, plans.count, plans[0].receivedAt))
        while building.count >= Self.builders { try await writeOldest() }
    }

    /// Writes what is left and waits for it. On SQLite it then moves the log's pages into the
    /// file and empties the log (a checkpoint that truncates it), so the dataset ends in the
    /// file, on the disk, and the log is not left holding the last transactions. `note` hears
    /// of the indexes being made again, which takes a while after the last case.
    func finish(note: (String) -> Void = { _ in }) async throws {
        while !building.isEmpty { try await writeOldest() }
        closeTransaction()
        try await committing?.value
        committing = nil
        if !deferredIndexes.isEmpty { note("All cases written; making the \(deferredIndexes.count) indexes left out of the load.") }
        try await restore()
        if app.db is any SQLiteDatabase {
            try await app.asb.writes.runAlone(on: app.db) { db in
                try await db.sql.raw("PRAGMA wal_checkpoint(TRUNCATE)").run()
            }
        }
    }

    /// Waits for the oldest batch's rows and for the batch before it to be in its transaction,
    /// then hands it to the open transaction (opening one when there is none, or the open one has
    /// its batches). Only one batch waits for the writer at a time, so the rows in memory stay
    /// those of the batches being built and the one being written. If anything fails, the open
    /// transaction is given no more batches: it ends (commits what it has, unless it failed).
    private func writeOldest() async throws {
        do {
            let next = building.removeFirst()
            let statements = try await next.statements.value
            try await lastBatch?.get()
            if let open, open.batches >= batchesPerTransaction { closeTransaction() }
            let feed = open ?? openTransaction()
            let written = app.eventLoopGroup.any().makePromise(of: Void.self)
            feed.feed.yield(.init(statements: statements, counters: next.counters, from: next.from, written: written))
            feed.batches += 1
            open = feed
            lastBatch = written.futureResult
            writtenCases += next.cases
        } catch {
            closeTransaction()
            throw error
        }
    }

    /// A write transaction that takes batches as they are built.
    private final class TransactionFeed {
        let feed: AsyncStream<Batch>.Continuation
        let task: Task<Void, any Error>
        var batches = 0

        init(feed: AsyncStream<Batch>.Continuation, task: Task<Void, any Error>) {
            self.feed = feed
            self.task = task
        }
    }

    /// A built batch on its way into a transaction; `written` is done when it is in it.
    private struct Batch: Sendable {
        let statements: [BulkInsert.Statement]
        let counters: [Int: Int]
        let from: Date
        let written: EventLoopPromise<Void>
    }

    /// Opens a transaction for the next batches. It waits for the write lock behind the one
    /// before it, which commits meanwhile.
    private func openTransaction() -> TransactionFeed {
        let (stream, feed) = AsyncStream.makeStream(of: Batch.self)
        let (app, before) = (self.app, committing)
        // The write starts on the SQLite writer's executor, where its transaction runs: started
        // on the global executor, it first waited there for a builder to finish a batch.
        let task = Task(executorPreference: app.asb.writes.writer?.executor) {
            try await DemoBulkWriter.write(stream, after: before, app: app)
        }
        return TransactionFeed(feed: feed, task: task)
    }

    /// Ends the open transaction's batches, so that it commits.
    private func closeTransaction() {
        guard let open else { return }
        open.feed.finish()
        self.open = nil
        committing = open.task
    }

    /// Inserts batches in one write transaction as they come, then moves the reference counters
    /// on; nothing if the transaction before it failed, so the cases written never skip a batch.
    /// The questionnaire is stored first, as the first assessment (at the first report) would.
    /// On SQLite each batch's statements are sent to the writer's connection all at once
    /// (`WriteTransactions.insert`, as intake's group commit): sent one by one, SQLite waited for
    /// each round trip through the event loop, with the builders holding both cores.
    ///
    /// Several batches to a transaction: the timeline and audit entries' ids follow each event's
    /// time, weeks or months after the case's report, so every batch's rows land all over the
    /// last months of those indexes, and each commit wrote those pages to SQLite's log again and
    /// each checkpoint to the file.
    private static func write(_ batches: AsyncStream<Batch>, after before: Task<Void, any Error>?,
                              app: Application) async throws {
        do {
            try await app.asb.writes.run(on: app.db, bulk: true) { db in
                // The transaction before has let the write lock go: it is over, committed or not.
                try await before?.value
                guard let sql = db as? any SQLDatabase else { return }
                if db is any SQLiteDatabase {
                    // A batch changes pages all over the indexes: with SQLite's default 2 MB
                    // cache they spilled to the log again and again before the commit, and were
                    // read back.
                    try await sql.raw("PRAGMA cache_size = \(unsafeRaw: String(-Self.sqliteCacheKiB))").run()
                }
                var counters: [Int: Int] = [:]
                var first = true
                var iterator = batches.makeAsyncIterator()
                while let batch = await iterator.next() {
                    do {
                        if first {
                            try await AssessmentService.storeQuestionnaire(.standard, now: batch.from, on: db)
                            first = false
                        }
                        try await app.asb.writes.insert(batch.statements, on: db)
                    } catch {
                        batch.written.fail(error)
                        throw error
                    }
                    counters = batch.counters
                    batch.written.succeed()
                }
                for (year, last) in counters {
                    try await sql.raw("""
                        INSERT INTO case_reference_counters (year, last_number) VALUES (\(bind: year), \(bind: last))
                        ON CONFLICT (year) DO UPDATE SET last_number = excluded.last_number
                        """).run()
                }
            }
        } catch {
            await fail(batches, with: error)
            throw error
        }
    }

    /// Tells a batch handed in after a failure (at most one: each waits for the one before) of it.
    private static func fail(_ batches: AsyncStream<Batch>, with error: any Error) async {
        var iterator = batches.makeAsyncIterator()
        while let batch = await iterator.next() { batch.written.fail(error) }
    }
}

/// Builds the rows of a batch of demo plans, in memory, as the services would write them.
///
/// It plays only what demo plans contain: reporters who asked to be phoned (so no mail is
/// queued), no contact plans, referrals or enforcement, no closure proposals cancelled.
final class DemoBatchBuilder {
    let staff: DemoStaff
    let seed: UInt64
    let calendar: WorkingCalendar
    let neighbourhoods: [Neighbourhood]
    let env: ASBEnvironment
    let database: any Database
    /// On SQLite, each case's rows become SQLite's values as soon as the case is built (`convertCase`).
    private let encoder: SQLiteDataEncoder?
    private var batch = Batch()
    /// On SQLite, the batch's timeline and audit rows as SQLite's values, in the order they were
    /// made, and the one model of each that the builder's own entries are written through
    /// (`event`, `audit`; about 21 of a case's 26): a model made and freed for each, seven or
    /// eleven properties apiece, was a sixth of the allocations.
    private var eventRows = SQLiteRowWriter<CaseEvent>(capacity: 0)
    private var auditRows = SQLiteRowWriter<AuditEvent>(capacity: 0)
    private let eventScratch = CaseEvent()
    private let auditScratch = AuditEvent()

    /// The rows of the batch's cases, in the order the services would write them.
    private struct Batch {
        /// The tables intake writes (demo reporters asked to be phoned: no messages).
        var rows = NewCase.Rows()
        var contacts: [ContactLogEntry] = []
        var plans: [ActionPlan] = []
        var actions: [PlanAction] = []
        var proposals: [ClosureProposal] = []
        var closureContacts: [ClosureContactRecord] = []
        var surveys: [SatisfactionSurvey] = []
        var reviews: [DissatisfactionReview] = []
    }

    init(staff: DemoStaff, seed: UInt64, calendar: WorkingCalendar, neighbourhoods: [Neighbourhood], env: ASBEnvironment,
         database: any Database) {
        self.staff = staff
        self.seed = seed
        self.calendar = calendar
        self.neighbourhoods = neighbourhoods
        self.env = env
        self.database = database
        encoder = database is any SQLiteDatabase ? SQLiteDataEncoder() : nil
    }

    // MARK: One case

    /// Builds the rows of one plan into the batch.
    func add(_ plan: DemoCasePlan, reference: CaseReference) throws {
        let random = RandomSource.demo(seed: seed, case: plan.index)
        let state = try intake(plan, reference: reference, random: random)
        let officer = staff.officers[plan.officer]
        for (at, step) in plan.steps {
            switch step {
            case .allocate(let leader, let officerIndex):
                try allocate(state, officer: staff.officers[officerIndex], by: .staff(staff.leaders[leader]), now: at)
            case .assess(let answers):
                try assess(state, answers: answers, by: .staff(officer), now: at)
            case .contact(let contact):
                try logContact(state, contact, by: .staff(officer), now: at)
            case .incident(let draft):
                try addIncident(state, draft, by: .staff(officer), now: at)
            case .agreeActionPlan(let actions):
                try agree(state, actions, by: .staff(officer), now: at)
            case .proposeClosure(let proposal):
                try propose(state, proposal, by: .staff(officer), now: at)
            case .closureContact(let method):
                try closureContact(state, method, by: .staff(officer), now: at)
            case .approveClosure(let leader):
                try approve(state, by: .staff(staff.leaders[leader]), now: at)
            case .close:
                try close(state, by: .staff(officer), random: random, now: at)
            case .survey(let answers):
                try answerSurvey(state, answers, by: .staff(officer), now: at)
            }
        }
        try convertCase()
    }

    /// On SQLite, turns the case's rows into SQLite's values and lets its models go. A batch's
    /// models kept until the batch was written (some 40,000 models and 400,000 of their
    /// properties for 1,000 cases) were freed in one sweep long after they were made: the
    /// allocator's bookkeeping then took a quarter of the builders' time. Freed case by case,
    /// their memory serves the next case. The rows and their order are the same.
    private func convertCase() throws {
        guard let encoder else { return }
        var tables: [String: BulkInsert.SQLiteRows] = [:]
        func take<M: Model>(_ models: inout [M]) throws {
            guard !models.isEmpty else { return }
            tables[M.schema] = try BulkInsert.SQLiteRows(models, encoder: encoder)
            models.removeAll(keepingCapacity: true)
        }
        try take(&batch.rows.parties)
        try take(&batch.rows.cases)
        try take(&batch.rows.links)
        try take(&batch.rows.incidents)
        try take(&batch.rows.assessments)
        try take(&batch.rows.milestones)
        try writeEntries()
        try take(&batch.rows.messages)
        try take(&batch.rows.idempotency)
        try take(&batch.contacts)
        try take(&batch.plans)
        try take(&batch.actions)
        try take(&batch.proposals)
        try take(&batch.closureContacts)
        try take(&batch.surveys)
        try take(&batch.reviews)
        try batch.rows.add(tables)
    }

    /// What the steps of one case need to know of it.
    private final class CaseState {
        let asbCase: ASBCase
        var reporter: Party?
        var perpetrator: Party?
        var incidents: [IncidentReport] = []
        var milestones: [CaseMilestone] = []
        var actions: [PlanAction] = []
        var proposal: ClosureProposal?
        var proposalContacts: [ClosureContactRecord] = []
        var survey: SatisfactionSurvey?

        init(_ asbCase: ASBCase) { self.asbCase = asbCase }
        var id: UUID { asbCase.id! }
        var anonymous: Bool { reporter == nil }
    }

    /// `IntakeService.submit` for a new case: the same `NewCase`, placed by postcode sector
    /// (demo people have no known property).
    private func intake(_ plan: DemoCasePlan, reference: CaseReference, random: RandomSource) throws -> CaseState {
        let now = plan.receivedAt
        let actor = staff.recorder(of: plan)
        let report = try ReportValidator.validate(plan.report, by: .init(isStaff: actor.user != nil, gateway: actor.gatewayChannel),
                                                  now: now, existingCase: false)
        let risk = try RiskAssessment.assess(plan.riskAnswers, hate: plan.report.hate, immediateDanger: plan.report.immediateDanger,
                                             notASB: false)
        let postcode = report.postcode ?? report.reporter?.postcode
        let neighbourhoodID = postcode.flatMap { code in neighbourhoods.first { $0.postcodeSectors.contains(code.sector) }?.id }
        let newCase = try NewCase(report, risk: risk, places: .init(place: .init(property: nil, neighbourhoodID: neighbourhoodID)),
                                  calendar: calendar, by: actor, now: now, accessCode: random.accessCode(), leaders: [],
                                  idempotency: nil, caseReviewConfig: env.config.caseReview, requestID: nil)
        _ = try newCase.rows(reference: reference, env: env, on: database, into: &batch.rows)
        let state = CaseState(newCase.asbCase)
        state.reporter = newCase.reporter
        state.perpetrator = newCase.perpetrator
        state.incidents = [newCase.incident]
        state.milestones = newCase.milestones
        return state
    }

    // MARK: Steps

    /// `CaseService.update` allocating an officer.
    private func allocate(_ state: CaseState, officer: User, by actor: Actor, now: Date) throws {
        let asbCase = state.asbCase
        asbCase.$allocatedOfficer.id = officer.id
        var changes = ["allocatedOfficerId": officer.id!.text]
        try event(state, .allocated, "Allocated to \(officer.displayName)", by: actor, now: now)
        if let status = try openIfReady(state, by: actor, now: now) { changes["status"] = status.rawValue }
        bump(asbCase, now: now)
        try audit(state, .caseUpdate, changes, by: actor, now: now)
    }

    /// `AssessmentService.assess` by the officer, without an override.
    private func assess(_ state: CaseState, answers: [String: String], by actor: Actor, now: Date) throws {
        let asbCase = state.asbCase
        let result = try RiskAssessment.assess(answers, hate: asbCase.hate, immediateDanger: false, notASB: asbCase.notASB)
        let priority = try RiskAssessment.decidePriority(computed: result, override: nil, reason: nil, hate: asbCase.hate)
        let overridden = priority != result.priority
        batch.rows.assessments.append(try assessment(result, priority: priority, notASB: asbCase.notASB, source: .officer, of: state,
                                                by: actor, now: now))
        asbCase.riskLevel = result.level
        let change = applyPriority(priority, source: overridden ? .override : .assessed, to: state, now: now)
        addSupportNeeds(result.supportNeeds, to: state.reporter)
        var summary = "Risk assessed as \(result.level.rawValue) (score \(result.score)), priority \(priority.rawValue)"
        if overridden { summary += " by override" }
        try event(state, .assessed, summary, by: actor, now: now)
        if let change { try event(state, .priorityChanged, change, by: actor, now: now) }
        var changes = ["priority": String(priority.rawValue), "level": result.level.rawValue, "score": String(result.score)]
        if overridden { changes["override"] = "true" }
        if let status = try openIfReady(state, by: actor, now: now) { changes["status"] = status.rawValue }
        bump(asbCase, now: now)
        try audit(state, .assessmentCreate, changes, by: actor, now: now)
    }

    /// `ContactService.log`: the entry, and the milestones it meets.
    private func logContact(_ state: CaseState, _ contact: DemoCasePlan.Contact, by actor: Actor, now: Date) throws {
        let party = contact.withReporter ? state.reporter : state.perpetrator
        let entry = ContactLogEntry()
        entry.id = OrderedID.next(at: now)
        entry.$asbCase.id = state.id
        entry.$party.id = party?.id
        entry.at = now
        entry.method = contact.method
        entry.direction = contact.direction
        entry.summary = contact.summary
        entry.restricted = false
        entry.$recordedBy.id = actor.userID
        entry.recordedAt = now
        batch.contacts.append(entry)
        let day = LondonTime.localDateTime(for: now).date
        try event(state, .contactLogged, "\(contact.direction == .outbound ? "Contact" : "Contact received") by \(contact.method.rawValue) on \(day)",
              by: actor, now: now)
        try audit(state, .contactLogged, ["method": contact.method.rawValue, "direction": contact.direction.rawValue, "restricted": "false"],
                  by: actor, now: now)
        let pending = state.milestones.filter { $0.metAt == nil }
        var met: [CaseMilestone] = []
        if contact.direction == .outbound, contact.withReporter {
            met += pending.filter { $0.milestone == .response || $0.milestone == .acknowledgement }
        }
        if !contact.withReporter { met += pending.filter { $0.milestone == .investigationStart } }
        for row in met {
            let rows = try CaseClock.met(row, at: now, note: "Contact by \(contact.method.rawValue)", of: state.asbCase, by: actor,
                                         calendar: calendar, now: now, requestID: nil)
            batch.rows.events += rows.events
            batch.rows.audit += rows.audit
        }
    }

    /// `IntakeService.addIncident` by the officer: no hate, no danger (demo plans have none later).
    private func addIncident(_ state: CaseState, _ draft: ReportDraft, by actor: Actor, now: Date) throws {
        let asbCase = state.asbCase
        let report = try ReportValidator.validate(draft, by: .init(isStaff: true), now: now, existingCase: true)
        try CaseLifecycle.checkNewIncident(on: asbCase.status)
        let incident = IntakeService.makeIncident(report, riskAnswers: [:], caseID: state.id, reporterID: state.reporter?.id,
                                                  by: actor, now: now)
        incident.id = OrderedID.next(at: now)
        batch.rows.incidents.append(incident)
        state.incidents.append(incident)
        asbCase.lastIncidentAt = max(asbCase.lastIncidentAt, report.receivedAt)
        for category in report.categories where !asbCase.categories.contains(category) { asbCase.categories.append(category) }
        asbCase.updatedAt = now
        asbCase.version += 1
        try event(state, .incidentAdded, "New incident reported by \(report.channel.rawValue)", by: actor, now: now)
        try audit(state, .incidentCreate, ["incident": incident.id!.text], by: actor, now: now)
        try checkCaseReview(state, by: actor, now: now)
    }

    /// `ActionPlanService.agree`: the first plan, agreed on a visit.
    private func agree(_ state: CaseState, _ actions: [DemoCasePlan.PlanAction], by actor: Actor, now: Date) throws {
        let agreed = LondonTime.localDateTime(for: now).date
        let plan = ActionPlan()
        plan.id = OrderedID.next(at: now)
        plan.$asbCase.id = state.id
        plan.revision = 1
        plan.agreedOn = agreed.description
        plan.howAgreed = .visit
        plan.notes = nil
        plan.current = true
        plan.$createdBy.id = actor.userID
        plan.createdAt = now
        batch.plans.append(plan)
        for (offset, new) in actions.enumerated() {
            let action = PlanAction()
            action.id = OrderedID.next(at: now)
            action.$plan.id = plan.id!
            action.position = offset
            action.what = new.what
            action.owner = new.owner
            action.$ownerUser.id = new.owner == .landlord ? actor.userID : nil
            action.dueOn = new.dueOn.description
            action.status = .open
            action.updatedAt = now
            batch.actions.append(action)
            state.actions.append(action)
        }
        let reporterActions = actions.filter { $0.owner == .reporter }.count
        try event(state, .actionPlanAgreed, "Action plan agreed by visit on \(agreed): \(actions.count) actions, \(reporterActions) for the reporter",
              by: actor, now: now)
        try audit(state, .actionPlanAgreed, ["revision": "1", "actions": String(actions.count)], by: actor, now: now)
    }

    /// `ClosureService.propose` by the officer.
    private func propose(_ state: CaseState, _ proposal: DemoCasePlan.Proposal, by actor: Actor, now: Date) throws {
        let asbCase = state.asbCase
        let today = LondonTime.localDateTime(for: now).date
        _ = try CaseLifecycle.apply(.proposeClosure, to: asbCase.facts)
        let adherence = ActionPlanRules.adherence(of: state.actions.map(\.planned), today: today)
        let facts = ClosureProposalFacts(
            reason: proposal.reason, explanation: proposal.explanation, withdrawalHow: proposal.withdrawalHow,
            withdrawalOn: proposal.withdrawalOn, reporterActionsMissed: adherence.reporterActionsMissed,
            lastIncidentOn: LondonTime.localDateTime(for: asbCase.lastIncidentAt).date, today: today)
        let errors = ClosureRules.validateProposal(facts)
        guard errors.isEmpty else { throw ValidationFailure(errors) }
        try ClosureRules.checkProposal(facts)
        let record = ClosureProposal()
        record.id = OrderedID.next(at: now)
        record.$asbCase.id = state.id
        record.reason = proposal.reason
        record.explanation = ClosureService.clean(proposal.explanation)
        record.withdrawalHow = ClosureService.clean(proposal.withdrawalHow)
        record.withdrawalOn = proposal.withdrawalOn?.description
        record.status = .pending
        record.$proposedBy.id = actor.userID
        record.proposedAt = now
        batch.proposals.append(record)
        state.proposal = record
        asbCase.status = try CaseLifecycle.apply(.proposeClosure, to: asbCase.facts)
        bump(asbCase, now: now)
        try event(state, .closureProposed, "Closure proposed: \(proposal.reason.displayName)", by: actor, now: now)
        try audit(state, .closureProposed, ["reason": proposal.reason.rawValue], by: actor, now: now)
    }

    /// `ClosureService.recordContact`: the reporter agreed, by visit or call.
    private func closureContact(_ state: CaseState, _ method: ClosureContactMethod, by actor: Actor, now: Date) throws {
        guard let proposal = state.proposal else { throw ClosureService.noPendingProposal }
        let contact = ClosureContactRecord()
        contact.id = OrderedID.next(at: now)
        contact.$proposal.id = proposal.id!
        contact.method = method
        contact.outcome = .agreed
        contact.reasons = nil
        contact.at = now
        contact.$recordedBy.id = actor.userID
        batch.closureContacts.append(contact)
        state.proposalContacts.append(contact)
        try event(state, .closureContact, "Closure \(method.rawValue): agreed", by: actor, now: now)
        try audit(state, .closureContact, ["method": method.rawValue, "outcome": ClosureContactOutcome.agreed.rawValue], by: actor, now: now)
    }

    /// `ClosureService.approve` by a team leader.
    private func approve(_ state: CaseState, by actor: Actor, now: Date) throws {
        guard let proposal = state.proposal else { throw ClosureService.noPendingProposal }
        proposal.$approvedBy.id = actor.userID
        proposal.approvedAt = now
        try event(state, .closureApproved, "Closure approved by a team leader", by: actor, now: now)
        try audit(state, .closureApproved, [:], by: actor, now: now)
    }

    /// `ClosureService.close`: closed, and the satisfaction survey due for a known reporter.
    private func close(_ state: CaseState, by actor: Actor, random: RandomSource, now: Date) throws {
        let asbCase = state.asbCase
        guard let proposal = state.proposal else { throw ClosureService.noPendingProposal }
        proposal.$contacts.value = state.proposalContacts
        try ClosureRules.checkClosure(ClosureService.facts(proposal, anonymous: state.anonymous))
        asbCase.status = try CaseLifecycle.apply(.close, to: asbCase.facts)
        asbCase.closedAt = now
        for row in state.milestones { row.caseClosedAt = now }
        asbCase.closureReason = proposal.reason
        bump(asbCase, now: now)
        proposal.status = .closed
        proposal.endedAt = now
        if !state.anonymous {
            // SurveyService.open
            let token = random.token()
            let survey = SatisfactionSurvey()
            survey.id = OrderedID.next(at: now)
            survey.$asbCase.id = state.id
            survey.status = "due"
            survey.dueAt = now
            survey.tokenHash = TokenHash.of(token)
            batch.surveys.append(survey)
            state.survey = survey
        }
        try event(state, .closed, "Case closed: \(proposal.reason.displayName)" + (state.anonymous ? "" : "; satisfaction survey due"),
              by: actor, now: now)
        try audit(state, .caseClosed, ["reason": proposal.reason.rawValue], by: actor, now: now)
    }

    /// `SurveyService.record`: answers given by phone.
    private func answerSurvey(_ state: CaseState, _ raw: SurveyAnswers, by actor: Actor, now: Date) throws {
        guard let survey = state.survey else { return }
        let answers = try SatisfactionRules.validate(raw)
        SurveyService.fill(survey, answers, channel: .phone, by: actor, now: now)
        let dissatisfied = SatisfactionRules.needsDissatisfactionReview(answers)
        if dissatisfied {
            let review = DissatisfactionReview()
            review.id = OrderedID.next(at: now)
            review.$survey.id = survey.id!
            review.$asbCase.id = state.id
            review.status = "open"
            review.createdAt = now
            batch.reviews.append(review)
        }
        let note = dissatisfied ? "; dissatisfied: a team leader reviews the case" : ""
        try event(state, .surveyAnswered,
              "Satisfaction survey answered (\(SurveyChannel.phone.displayName.lowercased())): overall \(answers.overall ?? 0) of 5\(note)",
              by: actor, now: now)
        try audit(state, .surveyAnswered, ["overall": String(answers.overall ?? 0), "channel": SurveyChannel.phone.rawValue],
                  by: actor, now: now)
    }

    // MARK: Shared pieces

    private func bump(_ asbCase: ASBCase, now: Date) {
        asbCase.version += 1
        asbCase.updatedAt = now
    }

    private func event(_ state: CaseState, _ kind: CaseEvent.Kind, _ summary: String, by actor: Actor, now: Date) throws {
        guard encoder != nil else {
            batch.rows.events.append(CaseEvent(caseID: state.id, at: now, kind: kind, summary: summary, actorID: actor.userID))
            return
        }
        try writeEntries()
        eventScratch.fill(caseID: state.id, at: now, kind: kind, summary: summary, actorID: actor.userID)
        try eventRows.append(eventScratch)
    }

    private func audit(_ state: CaseState, _ action: AuditLog.Action, _ changes: [String: String], by actor: Actor, now: Date) throws {
        guard encoder != nil else {
            batch.rows.audit.append(try AuditLog.event(action, by: actor, entityType: "case", entityID: state.asbCase.reference,
                                                       caseID: state.id, changes: changes, at: now, requestID: nil))
            return
        }
        try writeEntries()
        AuditLog.fill(auditScratch, action, by: actor, entityType: "case", entityID: state.asbCase.reference, caseID: state.id,
                      changes: changes, at: now, requestID: nil)
        try auditRows.append(auditScratch)
    }

    /// On SQLite, writes the timeline and audit entries the services' row builders made
    /// (`NewCase`, `CaseClock.met`, `CaseReviewService`) to the batch's rows, so each table's
    /// rows stay in the order they were made.
    private func writeEntries() throws {
        for event in batch.rows.events { try eventRows.append(event) }
        batch.rows.events.removeAll(keepingCapacity: true)
        for entry in batch.rows.audit { try auditRows.append(entry) }
        batch.rows.audit.removeAll(keepingCapacity: true)
    }

    /// `CaseClock.apply`, on the case's rows in memory.
    @discardableResult
    private func applyPriority(_ priority: Priority, source: PrioritySource, to state: CaseState, now: Date) -> String? {
        let change = CaseClock.reconcile(priority: priority, source: source, of: state.asbCase, existing: state.milestones,
                                         calendar: calendar, now: now)
        for row in change.saved where !state.milestones.contains(where: { $0 === row }) {
            state.milestones.append(row)
            batch.rows.milestones.append(row)
        }
        for row in change.deleted {
            state.milestones.removeAll { $0 === row }
            batch.rows.milestones.removeAll { $0 === row }
        }
        return change.summary
    }

    /// `AssessmentService.save`.
    private func assessment(_ result: RiskResult, priority: Priority, notASB: Bool, source: RiskAssessmentRecord.Source,
                            of state: CaseState, by actor: Actor, now: Date) throws -> RiskAssessmentRecord {
        try AssessmentService.record(result, priority: priority, overrideReason: nil, notASB: notASB, source: source, caseID: state.id,
                                     by: actor, now: now)
    }

    private func addSupportNeeds(_ needs: [SupportNeed], to party: Party?) {
        guard let party else { return }
        party.supportNeeds = (party.supportNeeds + needs).uniqued()
    }

    /// `CaseService.openIfReady`.
    private func openIfReady(_ state: CaseState, by actor: Actor, now: Date) throws -> CaseStatus? {
        let asbCase = state.asbCase
        guard let transition = CaseLifecycle.automaticTransition(after: asbCase.facts) else { return nil }
        let from = asbCase.status
        asbCase.status = try CaseLifecycle.apply(transition, to: asbCase.facts)
        try event(state, .statusChanged, "Case \(from.rawValue) → \(asbCase.status.rawValue)", by: actor, now: now)
        try audit(state, .caseTransition, ["from": from.rawValue, "to": asbCase.status.rawValue], by: actor, now: now)
        return asbCase.status
    }

    /// `CaseReviewService.check`.
    private func checkCaseReview(_ state: CaseState, by actor: Actor, now: Date) throws {
        guard let (event, audit) = try CaseReviewService.markThreshold(of: state.asbCase, incidents: state.incidents, now: now,
                                                                       by: actor, config: env.config.caseReview, requestID: nil)
        else { return }
        batch.rows.events.append(event)
        batch.rows.audit.append(audit)
    }

    // MARK: Writing

    /// The batch as insert statements, parents first, many rows to a statement.
    func statements(for database: any Database) throws -> [BulkInsert.Statement] {
        var insert = BulkInsert(for: database)
        if eventRows.count > 0 { batch.rows.converted[CaseEvent.schema] = eventRows.rows }
        if auditRows.count > 0 { batch.rows.converted[AuditEvent.schema] = auditRows.rows }
        try batch.rows.add(to: &insert)
        try batch.rows.add(batch.contacts, to: &insert)
        try batch.rows.add(batch.plans, to: &insert)
        try batch.rows.add(batch.actions, to: &insert)
        try batch.rows.add(batch.proposals, to: &insert)
        try batch.rows.add(batch.closureContacts, to: &insert)
        try batch.rows.add(batch.surveys, to: &insert)
        try batch.rows.add(batch.reviews, to: &insert)
        return insert.statements
    }
}
