import Fluent
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

    var middleware: [any AnyModelMiddleware] {
        get { base.middleware }
        set { base.middleware = newValue }
    }

    func makeDriver(for databases: Databases) -> any DatabaseDriver {
        base.makeDriver(for: Databases(threadPool: threadPool, on: databases.eventLoopGroup))
    }
}

/// Shuts the dedicated pool down after Fluent has closed its connections (handlers shut down in
/// reverse order, and this one is registered before Fluent's).
struct ThreadPoolShutdown: LifecycleHandler {
    let threadPool: NIOThreadPool

    func shutdownAsync(_ application: Application) async {
        try? await threadPool.shutdownGracefully()
    }
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
    let sqliteGate: AsyncMutex?

    /// Runs one statement that is a transaction by itself (autocommit: all of it or none, durable
    /// when it returns), with no `BEGIN` and `COMMIT` round trips; on SQLite behind the same
    /// in-process lock as the write transactions.
    func runAlone(on db: any Database, _ body: @escaping @Sendable (any Database) async throws -> Void) async throws {
        guard let gate = sqliteGate else { return try await body(db) }
        try await gate.holding { try await body(db) }
    }

    /// `bulk`: the transaction inserts many rows a statement (group commit, demo data). SQLite
    /// keeps a statement journal for such a statement inside a transaction, to undo just that
    /// statement on a constraint error, by default in a temporary file: a person search's 50
    /// audit rows were 50 page writes to it. A bulk transaction keeps it in memory
    /// (`temp_store`, a setting of the connection, made before `BEGIN`, where SQLite allows it).
    func run<T: Sendable>(on db: any Database, bulk: Bool = false,
                          _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        guard let gate = sqliteGate else { return try await db.transaction(body) }
        return try await gate.holding {
            try await db.withConnection { conn in
                guard let sql = conn as? any SQLDatabase else { throw Abort(.internalServerError) }
                if bulk { try await sql.raw("PRAGMA temp_store = MEMORY").run() }
                try await sql.raw("BEGIN IMMEDIATE").run()
                do {
                    let result = try await body(conn)
                    try await sql.raw("COMMIT").run()
                    return result
                } catch {
                    try? await sql.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }
}
