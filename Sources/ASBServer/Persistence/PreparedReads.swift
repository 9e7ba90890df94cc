import Fluent
import FluentSQLiteDriver
import Foundation
import PostgresKit
import SQLKit

/// The reads requests make by the dozen, run on PostgreSQL as named prepared statements: each
/// connection parses and plans one once, then only binds and runs it. PostgreSQL parsing and
/// planning those small statements again for every request was most of its work on a case page
/// and the home page. Prepared: `Model.stored` (a case's rows by `case_id`, parents and children
/// by id), every staff request's sign-in check, the case read with its parents, and the queues
/// over everyone's cases (`QueueService.read`, which says why not an officer's), the queues'
/// first pending deadlines, the caseworkers a case page offers, its people's other cases, its
/// follow-ups and its reporter count, and a person search's case counts. Case lists and a person
/// search's people are planned for their values on PostgreSQL (`genericPlan: false`).
///
/// PostgresNIO prepares a statement named by its type; `NamedStatement` takes its name, SQL and
/// binds from the read in hand (a task-local value read while PostgresNIO sends it). The name is
/// a hash of the SQL and of the bind types, so a connection prepares each shape of read once.
/// A bind PostgresNIO cannot send as it is (a NULL, a value encoded as JSON) takes SQLKit's
/// usual path. On SQLite the same reads return `SQLiteReadRow`s, which decode faster, and outside
/// a transaction run on connections that keep them prepared (`SQLiteStatementReaders`).
enum PreparedReads {
    /// Reads with more binds than this (a long `IN` list) are not prepared: each length would be
    /// another statement kept on every connection.
    static let maxBinds = 16

    /// The rows of `query` (a SELECT), as SQLKit rows decoded exactly as SQLKit's would be.
    ///
    /// `genericPlan: false`: on PostgreSQL the read is planned for its values every time, not
    /// prepared, where one plan for any values would do badly. On SQLite it is kept prepared
    /// all the same: SQLite plans for a bound value only where it also prepares the statement
    /// again when that value changes, so a kept statement runs the plan a new one would get.
    static func all(_ query: SQLQueryString, on db: any Database, genericPlan: Bool = true) async throws -> [any SQLRow] {
        let sql = try db.sql
        if let sqlite = db as? any SQLiteDatabase {
            // Statements kept prepared outside transactions; rows that decode faster as `SQLiteReadRow`s.
            let (text, values) = sql.serialize(query)
            let encoder = SQLiteDataEncoder()
            let binds = try values.map { try BulkInsert.sqliteData($0, encoder: encoder) }
            if let readers = SQLiteStatementReaders.serving(db) { return try await readers.all(text, binds) }
            return SQLiteReadRow.rows(try await sqlite.query(text, binds).get())
        }
        guard genericPlan, let postgres = db as? any PostgresDatabase else { return try await sql.raw(query).all() }
        let (text, values) = sql.serialize(query)
        guard values.count <= maxBinds else { return try await sql.raw(query).all() }
        var bindings = PostgresBindings(capacity: values.count)
        var signature = text
        for value in values {
            guard let encodable = value as? any PostgresEncodable else { return try await sql.raw(query).all() }
            try bindings.append(encodable, context: .default)
            signature += "|\(type(of: encodable).psqlType.rawValue)"
        }
        let statement = NamedStatement.Current(name: "asb_" + Self.hash(signature), sql: text)
        let prepared = NamedStatement(bindings: bindings)
        db.logger.debug("Executing prepared query", metadata: ["sql": .string(text), "name": .string(statement.name),
                                                             "binds": .array(values.map { .string("\($0)") })])
        do {
            let rows = try await postgres.withConnection { connection in
                connection.eventLoop.makeFutureWithTask {
                    try await NamedStatement.$current.withValue(statement) {
                        var rows: [PostgresRow] = []
                        for try await row in try await connection.execute(prepared, logger: connection.logger) {
                            rows.append(row)
                        }
                        return rows
                    }
                }
            }.get()
            return rows.map { $0.sql(decodingContext: .default) }
        } catch let error as PSQLError where error.serverInfo?[.sqlState] == PostgresError.Code.featureNotSupported.raw {
            // "cached plan must not change result type": a table this connection prepared a read
            // of has changed (another instance migrated it). Read it the usual way.
            return try await sql.raw(query).all()
        }
    }

    /// FNV-1a, 64 bits, as hex: a statement name (at most 63 bytes in PostgreSQL) for the text.
    static func hash(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x100_0000_01b3
        }
        return String(hash, radix: 16)
    }
}

/// A prepared statement whose name and SQL are those of the read `PreparedReads` is running.
private struct NamedStatement: PostgresPreparedStatement {
    struct Current: Sendable {
        var name: String
        var sql: String
    }

    @TaskLocal static var current: Current?

    static var name: String { current?.name ?? "asb_unset" }
    static var sql: String { current?.sql ?? "" }

    let bindings: PostgresBindings

    func makeBindings() throws -> PostgresBindings { bindings }
    func decodeRow(_ row: PostgresRow) throws -> PostgresRow { row }
}
