import Fluent
import Foundation
import FluentSQL
import NIOCore
import NIOPosix
import Vapor

/// Runs the SQLite driver on a thread pool of its own.
///
/// SQLite's busy handler (set by sqlite-nio) retries on the calling thread while another
/// connection holds the write lock. On the shared thread pool those waiting threads can starve
/// the very connection that holds the lock; with one thread per connection here, the holder
/// always has a thread to finish on.
struct DedicatedThreadPoolConfiguration: DatabaseConfiguration {
    var base: any DatabaseConfiguration
    let threadPool: NIOThreadPool
    /// The loops the connections belong to (one connection each): the application's unless given.
    var eventLoopGroup: (any EventLoopGroup)?
    /// The reading connections' prepared statements (`PreparedReads`), on the same thread pool.
    var statementReaders: SQLiteStatementReaders?

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        base.makeDriver(for: Databases(threadPool: threadPool, on: eventLoopGroup ?? databases.eventLoopGroup))
    }
}

/// Shuts the dedicated pools (and the side connections' loops) down after Fluent has closed its
/// connections (handlers shut down in reverse order, and this one is registered before Fluent's).
struct ThreadPoolShutdown: LifecycleHandler {
    let threadPools: [NIOThreadPool]
    let loops: [any EventLoopGroup]
    /// Closed once their thread pool has stopped: no read can be running.
    var statementReaders: SQLiteStatementReaders?

    func shutdownAsync(_ application: Application) async {
        for threadPool in threadPools { try? await threadPool.shutdownGracefully() }
        statementReaders?.close()
        for loop in loops { try? await loop.shutdownGracefully() }
    }
}

/// The database of `sqlite::memory:`: a file in a directory of its own in the temporary
/// directory, which only this user may read, removed with everything in it when the application
/// shuts down.
///
/// SQLiteKit keeps an "in-memory" database in a file too (its SQLite is built without the shared
/// cache several connections to one in-memory database need), named in the temporary directory
/// and readable by every local user, and never removes it: each run left its data behind.
struct TemporaryDatabase: LifecycleHandler {
    let directory: URL

    var path: String { directory.appendingPathComponent("asb.sqlite").path }

    static func make() throws -> TemporaryDatabase {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("asb-memory-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o700])
        return TemporaryDatabase(directory: directory)
    }

    func shutdownAsync(_ application: Application) async {
        try? FileManager.default.removeItem(at: directory)
    }
}

/// An SQLite file's two connections beside the readers of the application's loops, each on a
/// loop of its own: the writer's (`SQLiteWriter`) and the report reader's (`SQLiteReportReader`).
struct SQLiteSideLoops {
    let writer: any EventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    let reports: any EventLoopGroup = MultiThreadedEventLoopGroup(numberOfThreads: 1)
}

/// A first-come, first-served async lock.
actor AsyncMutex {
    private var locked = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func lock() async {
        if !locked {
            locked = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    /// Runs `body` holding the lock, and releases it however `body` ends.
    func holding<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await lock()
        do {
            let result = try await body()
            unlock()
            return result
        } catch {
            unlock()
            throw error
        }
    }

    func unlock() {
        if waiters.isEmpty {
            locked = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// How the application opens a transaction that writes.
///
/// On PostgreSQL: an ordinary transaction (row locks serialise what must be serialised). On
/// SQLite, which has one writer at a time anyway: one write transaction per process at a time,
/// begun with `BEGIN IMMEDIATE` so it holds the write lock from its first statement and can never
/// fail half-way with a stale snapshot.
struct WriteTransactions: Sendable {
    /// Set while a write transaction's code runs (on SQLite): its reads stay on its connection,
    /// to see its own writes (`SQLiteStatementReaders.serving`).
    @TaskLocal static var isWriting = false

    let sqliteGate: AsyncMutex?
    /// On an SQLite file, where writes run (`SQLiteWriter`); nil on PostgreSQL and in memory.
    let writer: SQLiteWriter?

    init(sqliteGate: AsyncMutex?, writer: SQLiteWriter? = nil) {
        self.sqliteGate = sqliteGate
        self.writer = writer
    }

    /// Runs one statement that is a transaction by itself (autocommit: all of it or none, durable
    /// when it returns), with no `BEGIN` and `COMMIT` round trips; on SQLite behind the same
    /// in-process lock as the write transactions.
    func runAlone<T: Sendable>(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = sqliteGate else { return try await body(db) }
        let db = try writer?.database(logging: db) ?? db
        return try await gate.holding {
            try await withTaskExecutorPreference(writer?.executor) { try await Self.$isWriting.withValue(true) { try await body(db) } }
        }
    }

    /// Runs `BulkInsert`'s statements inside a transaction of `run` (or `runAlone`): on the
    /// SQLite writer's connection all sent at once (`BulkInsert.run(_:on:inOrder:)`).
    func insert(_ statements: [BulkInsert.Statement], on db: any Database) async throws {
        try await BulkInsert.run(statements, on: db, inOrder: writer != nil)
    }

    /// `bulk`: the transaction inserts many rows a statement (group commit, demo data). SQLite
    /// keeps a statement journal for such a statement inside a transaction, to undo just that
    /// statement on a constraint error, by default in a temporary file: a person search's 50
    /// audit rows were 50 page writes to it. A bulk transaction keeps it in memory
    /// (`temp_store`, a setting of the connection, made before `BEGIN`, where SQLite allows it).
    ///
    /// `derived` (SQLite; PostgreSQL has no such writes): the transaction writes only what is
    /// made again from other stored data (the person index of searches, `AuditListings`), so its
    /// commit need not wait for the disk (`synchronous = NORMAL`): the next durable commit takes
    /// it there, and if the machine stops first the transaction is lost whole, its source data
    /// still where it was. Its fsync was most of its time holding the one write lock.
    func run<T: Sendable>(on db: any Database, bulk: Bool = false, derived: Bool = false,
                          _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = sqliteGate else { return try await db.transaction(body) }
        guard let writer else {
            // In memory, on the pool's connections: the transaction holds one of them throughout.
            return try await gate.holding {
                try await db.withConnection { conn in try await Self.transaction(on: conn, bulk: bulk, derived: derived, body) }
            }
        }
        // The writer's pool has one connection (SQLite's driver makes one an event loop), and
        // only the gate's holder uses it: every statement sent here runs on it, in order. Fluent's
        // `withConnection` is not used to hold it: it runs the closure in a task of its own, which
        // starts and ends on the HTTP loops (the global executor), queued behind requests with the
        // write lock held (a fifth of intake's transaction time).
        let db = try writer.database(logging: db)
        return try await gate.holding {
            try await withTaskExecutorPreference(writer.executor) { try await Self.transaction(on: db, bulk: bulk, derived: derived, body) }
        }
    }

    private static func transaction<T: Sendable>(on db: any Database, bulk: Bool, derived: Bool,
                                                  _ body: @Sendable (any Database) async throws -> T) async throws -> T {
        let sql = try db.sql
        if bulk { try await sql.raw("PRAGMA temp_store = MEMORY").run() }
        guard derived else { return try await transaction(on: db, body) }
        // Set outside the transaction (SQLite allows it only there), and set back before the
        // write lock is let go.
        try await sql.raw("PRAGMA synchronous = NORMAL").run()
        do {
            let result = try await transaction(on: db, body)
            try await sql.raw("PRAGMA synchronous = FULL").run()
            return result
        } catch {
            try await sql.raw("PRAGMA synchronous = FULL").run()
            throw error
        }
    }

    private static func transaction<T: Sendable>(on db: any Database,
                                                  _ body: @Sendable (any Database) async throws -> T) async throws -> T {
        let sql = try db.sql
        try await sql.raw("BEGIN IMMEDIATE").run()
        do {
            let result = try await Self.$isWriting.withValue(true) { try await body(db) }
            try await sql.raw("COMMIT").run()
            return result
        } catch {
            try? await sql.raw("ROLLBACK").run()
            throw error
        }
    }
}

/// Where an SQLite file's writes run: a connection of their own, on an event loop of their own,
/// the transaction's code on that loop too.
///
/// Fluent's SQLite driver keeps one connection per event loop. A write transaction held its
/// loop's connection for its whole length (intake's group commit: a dozen statements and an
/// fsync), and every read of a request on that loop waited for it, though SQLite's write-ahead
/// log lets readers go on beside the one writer. And each of the transaction's statements went to
/// SQLite's thread and back to an event loop busy with HTTP requests, queued behind them: the
/// write lock was held for those waits too. Here each statement returns to a loop that does
/// nothing else, and the reads keep their connections.
///
/// The writer's connection has a thread of its own, which runs its statements one after another
/// in the order they were sent: a transaction can send several inserts at once and wait once
/// (`WriteTransactions.insert`), rather than waking two threads for each.
struct SQLiteWriter: Sendable {
    /// The writer's database ID: the same file, its own connection pool (`DatabaseID.sqliteWriter`).
    let databases: Databases
    let eventLoop: any EventLoop
    /// The writer's loop as a task executor: the transaction's code prefers it.
    let executor: EventLoopTaskExecutor

    init(databases: Databases, eventLoop: any EventLoop) {
        self.databases = databases
        self.eventLoop = eventLoop
        executor = EventLoopTaskExecutor(eventLoop)
    }

    /// The writer's database, logging to `db`'s logger.
    func database(logging db: any Database) throws -> any Database {
        guard let writer = databases.database(.sqliteWriter, logger: db.logger, on: eventLoop) else {
            throw Abort(.serviceUnavailable, reason: "The database is shutting down.")
        }
        return writer
    }
}

/// Runs a task's jobs on one event loop (as a task executor preference).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

/// An SQLite file's second connection for reading, for reports whose reads are long enough to be
/// worth splitting over the machine's cores (`StatisticsService`).
///
/// Fluent's SQLite driver keeps one connection per event loop, and a request's reads all go to
/// its loop's connection, one after another: a financial year's statistics at 1,000,000 cases
/// read for 1.2 s on one core while the other had nothing to do. Here some of those reads run
/// beside the others, on a connection no request holds, so a report never takes a second one of
/// the loops' connections from other requests. Concurrent reports queue for it.
struct SQLiteReportReader: Sendable {
    /// The report reader's database ID: the same file, its own connection (`DatabaseID.sqliteReports`).
    let databases: Databases
    let eventLoop: any EventLoop

    /// The report reader's database, logging to `db`'s logger; nil while the databases shut down.
    func database(logging db: any Database) -> (any Database)? {
        databases.database(.sqliteReports, logger: db.logger, on: eventLoop)
    }
}

extension DatabaseID {
    /// An SQLite file's connection for writing (`SQLiteWriter`).
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
    /// An SQLite file's second connection for reports' reads (`SQLiteReportReader`).
    static let sqliteReports = DatabaseID(string: "sqlite-reports")
}
