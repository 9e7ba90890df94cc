import FluentKit
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SQLiteNIO
// SQLite itself, as sqlite-nio builds it (its functions prefixed `sqlite_nio_`): a module of that
// package, reached through SQLiteNIO, which SwiftPM does not let a package name directly.
import VaporCSQLite

/// The reads of `PreparedReads` on an SQLite file, through connections that keep each statement
/// prepared: SQLite parses and plans a statement's text once per connection, then only binds and
/// runs it, as PostgreSQL does with `PreparedReads`' named statements.
///
/// SQLiteNIO prepares and finalises every statement it runs, and does not give its connection's
/// handle away. At 1,000,000 cases SQLite's parser was 9% of an open case page's server time
/// (about 25 small reads a page, the same few texts every time). These are connections of their
/// own to the same file: one a thread of the readers' thread pool (the one Fluent's reading
/// connections run on, so reads still use at most its threads), opened on first use, each with
/// its statements by text (`capacity` at most; when full they are all finalised and prepared
/// again as used). Each statement is reset as soon as its rows are read, so no read keeps a
/// snapshot open past its statement (WAL checkpoints and the writer never wait for it), and a
/// read sees every commit made before it began, as with SQLiteNIO's connections. The connections
/// are `query_only`: they cannot write.
///
/// Reads inside a transaction never come here (`serving`): they must see the transaction's own
/// writes, on its connection.
final class SQLiteStatementReaders: Sendable {
    /// Statements kept per connection.
    static let capacity = 256

    let path: String
    let threadPool: NIOThreadPool
    private let current = ThreadSpecificVariable<Connection>()
    private let opened = NIOLockedValueBox<[Connection]>([])

    init(path: String, threadPool: NIOThreadPool) {
        self.path = path
        self.threadPool = threadPool
    }

    /// The readers that `db` reads through, if its reads may come here: one of the reading
    /// connections of an SQLite file (`DatabaseID.sqlite`), in no transaction.
    static func serving(_ db: any Database) -> SQLiteStatementReaders? {
        guard !db.inTransaction, !WriteTransactions.isWriting else { return nil }
        return attached(to: db)
    }

    /// The readers of `db`'s configuration, whether or not its reads may come here now.
    static func attached(to db: any Database) -> SQLiteStatementReaders? {
        (db.context.configuration as? DedicatedThreadPoolConfiguration)?.statementReaders
    }

    /// The rows of one statement (a SELECT) with its values bound in order (`?1`, `?2`, …).
    func all(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteReadRow] {
        try await threadPool.runIfActive { [self] in
            try connection().all(sql, binds)
        }
    }

    /// Statements prepared by all connections so far (each text once per connection, until the
    /// cache is full).
    var prepared: Int { opened.withLockedValue { $0.reduce(0) { $0 + $1.prepared } } }

    /// Times SQLite had to prepare a kept statement again before running it (its schema changed,
    /// or a value bound to it changed what its plan had assumed).
    var reprepared: Int { opened.withLockedValue { $0.reduce(0) { $0 + $1.reprepared } } }

    /// Closes every connection (each opens again on its thread's next read): so that SQLite can
    /// change the file's journal mode, which needs no other connection open (`DemoBulkWriter`),
    /// and when the application shuts down.
    func close() {
        for connection in opened.withLockedValue({ $0 }) { connection.close() }
    }

    private func connection() throws -> Connection {
        if let connection = current.currentValue { return connection }
        let connection = Connection(path: path)
        current.currentValue = connection
        opened.withLockedValue { $0.append(connection) }
        return connection
    }
}

/// An SQLite error from a read of `SQLiteStatementReaders`: SQLite's code and message.
struct SQLiteReadError: Error, CustomStringConvertible {
    var code: Int32
    var message: String
    var description: String { "SQLite error \(code): \(message)" }
}

extension SQLiteStatementReaders {
    /// One thread's connection and its prepared statements. Used by that thread only, but closed
    /// from others (`close`), hence the lock, which is otherwise never contended.
    fileprivate final class Connection: @unchecked Sendable {
        private let path: String
        private let lock = NIOLock()
        private var handle: OpaquePointer?
        private var statements: [String: Statement] = [:]
        private var preparedCount = 0
        private var repreparedCount = 0

        init(path: String) {
            self.path = path
        }

        var prepared: Int { lock.withLock { preparedCount } }
        var reprepared: Int { lock.withLock { repreparedCount } }

        func all(_ sql: String, _ binds: [SQLiteData]) throws -> [SQLiteReadRow] {
            try lock.withLock {
                let handle = try openedHandle()
                let statement = try statement(sql, on: handle)
                defer {
                    // Ends the statement's read (its snapshot) whatever happened. The values stay
                    // bound: every one is bound again before the next run (`bind` checks the
                    // count), and clearing them would have SQLite prepare the statement again
                    // whenever its plan looked at one (most plans, for an estimate).
                    sqlite_nio_sqlite3_reset(statement.handle)
                    let reprepared = sqlite_nio_sqlite3_stmt_status(statement.handle, SQLITE_STMTSTATUS_REPREPARE, 1)
                    repreparedCount += Int(reprepared)
                }
                try bind(binds, to: statement.handle, on: handle)
                let count = sqlite_nio_sqlite3_column_count(statement.handle)
                let columns = Int(count) == statement.columns.names.count ? statement.columns : Self.columns(of: statement.handle)
                var rows: [SQLiteReadRow] = []
                while true {
                    let status = sqlite_nio_sqlite3_step(statement.handle)
                    if status == SQLITE_DONE { break }
                    guard status == SQLITE_ROW else { throw Self.error(status, handle) }
                    var values: [SQLiteData] = []
                    values.reserveCapacity(Int(count))
                    for column in 0..<count { values.append(Self.value(statement.handle, column)) }
                    rows.append(SQLiteReadRow(columns: columns, values: values))
                }
                return rows
            }
        }

        func close() {
            lock.withLock {
                for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
                statements = [:]
                if let handle { sqlite_nio_sqlite3_close(handle) }
                handle = nil
            }
        }

        private struct Statement {
            let handle: OpaquePointer
            let columns: SQLiteReadRow.Columns
        }

        private func openedHandle() throws -> OpaquePointer {
            if let handle { return handle }
            var opened: OpaquePointer?
            // No mutex of SQLite's own: the lock above keeps the connection to one thread at a time.
            let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
            let status = sqlite_nio_sqlite3_open_v2(path, &opened, flags, nil)
            guard status == SQLITE_OK, let opened else {
                let error = SQLiteReadError(code: status, message: opened.map { Self.message($0) } ?? "cannot open \(path)")
                sqlite_nio_sqlite3_close(opened)
                throw error
            }
            // A reader waits only while SQLite recovers or resets the log; wait as long as a request would.
            sqlite_nio_sqlite3_busy_timeout(opened, 30_000)
            let pragma = sqlite_nio_sqlite3_exec(opened, "PRAGMA query_only = 1", nil, nil, nil)
            guard pragma == SQLITE_OK else {
                let error = Self.error(pragma, opened)
                sqlite_nio_sqlite3_close(opened)
                throw error
            }
            handle = opened
            return opened
        }

        private func statement(_ sql: String, on handle: OpaquePointer) throws -> Statement {
            if let statement = statements[sql] { return statement }
            if statements.count >= SQLiteStatementReaders.capacity {
                for statement in statements.values { sqlite_nio_sqlite3_finalize(statement.handle) }
                statements = [:]
            }
            var prepared: OpaquePointer?
            let status = sqlite_nio_sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
            guard status == SQLITE_OK, let prepared else {
                sqlite_nio_sqlite3_finalize(prepared)
                throw Self.error(status, handle)
            }
            preparedCount += 1
            let statement = Statement(handle: prepared, columns: Self.columns(of: prepared))
            statements[sql] = statement
            return statement
        }

        private func bind(_ binds: [SQLiteData], to statement: OpaquePointer, on handle: OpaquePointer) throws {
            let parameters = Int(sqlite_nio_sqlite3_bind_parameter_count(statement))
            guard parameters == binds.count else {
                throw SQLiteReadError(code: SQLITE_RANGE, message: "The statement takes \(parameters) values; \(binds.count) given.")
            }
            for (offset, value) in binds.enumerated() {
                let index = Int32(offset + 1)
                let status: Int32 = switch value {
                case .integer(let integer): sqlite_nio_sqlite3_bind_int64(statement, index, Int64(integer))
                case .float(let double): sqlite_nio_sqlite3_bind_double(statement, index, double)
                case .text(let text):
                    sqlite_nio_sqlite3_bind_text64(statement, index, text, UInt64(text.utf8.count), Self.transient, UInt8(SQLITE_UTF8))
                case .blob(let buffer):
                    buffer.withUnsafeReadableBytes {
                        sqlite_nio_sqlite3_bind_blob64(statement, index, $0.baseAddress, UInt64($0.count), Self.transient)
                    }
                case .null: sqlite_nio_sqlite3_bind_null(statement, index)
                }
                guard status == SQLITE_OK else { throw Self.error(status, handle) }
            }
        }

        /// SQLite copies the value bound before the call returns.
        private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

        private static func columns(of statement: OpaquePointer) -> SQLiteReadRow.Columns {
            let count = sqlite_nio_sqlite3_column_count(statement)
            return SQLiteReadRow.Columns(names: (0..<count).map { column in
                sqlite_nio_sqlite3_column_name(statement, column).map { String(cString: $0) } ?? ""
            })
        }

        /// A column of the current row as SQLiteNIO reads it.
        private static func value(_ statement: OpaquePointer, _ column: Int32) -> SQLiteData {
            switch sqlite_nio_sqlite3_column_type(statement, column) {
            case SQLITE_INTEGER:
                return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
            case SQLITE_FLOAT:
                return .float(sqlite_nio_sqlite3_column_double(statement, column))
            case SQLITE_TEXT:
                let text = sqlite_nio_sqlite3_column_text(statement, column)
                let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                return .text(String(decoding: UnsafeBufferPointer(start: text, count: text == nil ? 0 : count), as: UTF8.self))
            case SQLITE_BLOB:
                let bytes = sqlite_nio_sqlite3_column_blob(statement, column)
                let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
                return .blob(ByteBuffer(bytes: UnsafeRawBufferPointer(start: bytes, count: bytes == nil ? 0 : count)))
            default:
                return .null
            }
        }

        private static func message(_ handle: OpaquePointer) -> String {
            sqlite_nio_sqlite3_errmsg(handle).map { String(cString: $0) } ?? "unknown"
        }

        private static func error(_ status: Int32, _ handle: OpaquePointer) -> SQLiteReadError {
            SQLiteReadError(code: status, message: message(handle))
        }
    }
}
