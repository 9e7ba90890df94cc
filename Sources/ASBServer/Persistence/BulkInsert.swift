import Fluent
import FluentSQL
import FluentSQLiteDriver
import Foundation

/// Inserts models many rows to a statement, with the values Fluent's `create` would insert, and
/// without its model middleware (the application has none) or one statement a row.
///
/// Demo data writes its batches with it, and intake its new cases (`NewCaseWriter`). The models
/// must be complete: ids set (`OrderedID`), every field given as `create` would store it.
/// Every model lists its properties (ModelProperties.swift), so `input(to:)` does not reflect;
/// on SQLite the models intake and read audits insert write their rows themselves (`SQLiteRowModel`).
struct BulkInsert: Sendable {
    /// An insert statement ready to run.
    enum Statement: Sendable {
        /// Its SQL and values for SQLite, made by the caller, so the writer only runs it: turning
        /// rows into SQL and values took half demo data's writer's time.
        case sqlite(String, [SQLiteData])
        /// For PostgreSQL, whose driver turns it into SQL and values when it runs.
        case sql(SQLInsert)
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// Rows per statement: well under SQLite's 32,766 bound parameters and PostgreSQL's 65,535
    /// for the widest table (cases, 36 columns).
    static let rowsPerStatement = 400

    /// Fluent's SQLite driver is configured with the default encoder (configure.swift); nil for PostgreSQL.
    private let sqliteEncoder: SQLiteDataEncoder?
    private(set) var statements: [Statement] = []

    /// Statements for `database`'s dialect.
    init(for database: any Database) {
        sqliteEncoder = database is any SQLiteDatabase ? SQLiteDataEncoder() : nil
    }

    /// Adds the inserts of `models` (none when empty), in order.
    mutating func add<M: Model>(_ models: [M]) throws {
        if let sqliteEncoder {
            return add(try SQLiteRows(models, encoder: sqliteEncoder))
        }
        for chunk in try Self.rows(models) {
            statements.append(.sql(try Self.insert(chunk, into: M.schema)))
        }
    }

    /// Adds the inserts of rows already converted to SQLite's values (none when empty).
    mutating func add(_ rows: SQLiteRows) {
        var start = 0
        while start < rows.count {
            let end = min(start + Self.rowsPerStatement, rows.count)
            let width = rows.columns.count
            let placeholders = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
            let text = "INSERT INTO \(Self.quoted(rows.table)) (\(rows.columns.map(Self.quoted).joined(separator: ", "))) VALUES "
                + Array(repeating: placeholders, count: end - start).joined(separator: ", ")
            statements.append(.sqlite(text, Array(rows.binds[(start * width)..<(end * width)])))
            start = end
        }
    }

    /// Rows of one table as SQLite's values, row after row: what `add` turns into statements.
    /// Intake converts a report's rows before the write, so the write only joins them.
    struct SQLiteRows: Sendable {
        let table: String
        let columns: [String]
        private(set) var binds: [SQLiteData]
        private(set) var count: Int

        /// The models' rows, with the values Fluent would insert for them, as SQLKit would bind
        /// them with SQLite's dialect: written by the models themselves where they can
        /// (`SQLiteRowModel`), otherwise from Fluent's input (`init(fluentInput:encoder:)`).
        init<M: Model>(_ models: [M], encoder: SQLiteDataEncoder) throws {
            if let written = M.self as? any SQLiteRowModel.Type {
                self = try Self.written(models, as: written)
            } else {
                try self.init(fluentInput: models, encoder: encoder)
            }
        }

        /// The rows `SQLiteRowModel`s write; `R` is `M`.
        private static func written<M: Model, R: SQLiteRowModel>(_ models: [M], as: R.Type) throws -> SQLiteRows {
            // The widest table (cases) has 37 columns.
            var row = SQLiteRowWriter<R>(capacity: 40 * models.count)
            for model in models { try row.append(unsafeDowncast(model, to: R.self)) }
            return row.rows
        }

        /// Rows already as SQLite's values: `binds` holds `count` rows of `columns`, row after row.
        init(table: String, columns: [String], binds: [SQLiteData], count: Int) {
            precondition(binds.count == columns.count * count, "Rows of \(table) with values missing.")
            self.table = table
            self.columns = columns
            self.binds = binds
            self.count = count
        }

        /// The rows from Fluent's input (`input(to:)`), each value as SQLite's (`sqliteValue`).
        init<M: Model>(fluentInput models: [M], encoder: SQLiteDataEncoder) throws {
            table = M.schema
            var columns: [FieldKey] = []
            binds = []
            count = 0
            for model in models {
                guard model.id != nil else { throw Failure(description: "A row of \(M.schema) has no id.") }
                let input = RowInput()
                model.input(to: input)
                if count == 0 {
                    columns = input.keys
                    binds.reserveCapacity(columns.count * models.count)
                }
                guard input.keys == columns else { throw Failure(description: "Rows of \(M.schema) differ in their columns.") }
                for value in input.values { binds.append(try BulkInsert.sqliteValue(value, encoder: encoder)) }
                count += 1
            }
            self.columns = columns.map(\.description)
        }

        /// Adds `other`'s rows, of the same table and columns, after these.
        mutating func append(_ other: SQLiteRows) throws {
            guard other.table == table else { throw Failure(description: "Rows of \(other.table) added to \(table).") }
            if other.count == 0 { return }
            if count == 0 { return self = other }
            guard other.columns == columns else { throw Failure(description: "Rows of \(table) differ in their columns.") }
            binds += other.binds
            count += other.count
        }
    }

    /// Runs the statements, in order, inside the caller's transaction. `inOrder`: `db` is the
    /// pool of one connection whose statements run one after another in the order sent
    /// (`SQLiteWriter`'s), so SQLite's statements are all sent to it at once (holding it by the
    /// driver's future-based `withConnection`, with no task of its own) and awaited together; if
    /// one fails, those after it run too, and the error is thrown for the caller to roll the
    /// transaction back.
    static func run(_ statements: [Statement], on db: any Database, inOrder: Bool = false) async throws {
        if inOrder, statements.count > 1, let sqlite = db as? any SQLiteDatabase {
            let sent = try statements.map { statement in
                guard case .sqlite(let text, let binds) = statement else { throw Failure(description: "SQL for another database.") }
                return (text, binds)
            }
            let logger = db.logger
            let results = try await sqlite.withConnection { (conn: SQLiteConnection) in
                EventLoopFuture.whenAllComplete(sent.map { conn.query($0.0, $0.1, logger: logger) { _ in } }, on: conn.eventLoop)
            }.get()
            for case .failure(let error) in results { throw error }
            return
        }
        for statement in statements {
            switch statement {
            case .sqlite(let text, let binds):
                guard let sqlite = db as? any SQLiteDatabase else { throw Failure(description: "SQLite statements on another database.") }
                try await sqlite.query(text, binds, logger: db.logger) { _ in }.get()
            case .sql(let expression):
                guard let sql = db as? any SQLDatabase else { throw Failure(description: "No SQL database.") }
                try await sql.execute(sql: expression) { _ in }
            }
        }
    }

    /// Rows of one table for one statement: the columns, and each row's values.
    struct Rows {
        var columns: [FieldKey] = []
        var values: [[DatabaseQuery.Value]] = []
    }

    /// The rows with the values Fluent would insert for them (every field as `Fields.input(to:)`
    /// gives it, unset ones as the column default), in chunks of `rowsPerStatement`.
    private static func rows<M: Model>(_ models: [M]) throws -> [Rows] {
        var chunks: [Rows] = []
        var start = 0
        while start < models.count {
            let end = min(start + rowsPerStatement, models.count)
            var chunk = Rows()
            chunk.values.reserveCapacity(end - start)
            for model in models[start..<end] {
                guard model.id != nil else { throw Failure(description: "A row of \(M.schema) has no id.") }
                let input = RowInput()
                model.input(to: input)
                if chunk.columns.isEmpty { chunk.columns = input.keys }
                guard input.keys == chunk.columns else { throw Failure(description: "Rows of \(M.schema) differ in their columns.") }
                chunk.values.append(input.values)
            }
            chunks.append(chunk)
            start = end
        }
        return chunks
    }

    /// A row's fields in the order the model declares them.
    private final class RowInput: DatabaseInput {
        var keys: [FieldKey] = []
        var values: [DatabaseQuery.Value] = []
        let wantsUnmodifiedKeys = true

        func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
            keys.append(key)
            values.append(value)
        }
    }

    /// The rows as SQLKit's insert, each value as Fluent's `SQLQueryConverter` translates it.
    private static func insert(_ rows: Rows, into table: String) throws -> SQLInsert {
        var insert = SQLInsert(table: SQLIdentifier(table))
        insert.columns = rows.columns.map { SQLIdentifier($0.description) }
        insert.values = try rows.values.map { try $0.map(expression) }
        return insert
    }

    private static func expression(_ value: DatabaseQuery.Value) throws -> any SQLExpression {
        switch value {
        case .bind(let encodable):
            if let optional = encodable as? any FluentKit.AnyOptionalType, optional.wrappedValue == nil { return SQLLiteral.null }
            return SQLBind(encodable)
        case .null: return SQLLiteral.null
        case .default: return SQLLiteral.default
        case .enumCase(let string): return SQLLiteral.string(string)
        case .array, .dictionary, .custom: throw Failure(description: "A row holds a value the bulk insert does not write.")
        }
    }

    /// A value as SQLite's: what SQLKit makes of `insert(_:into:)` with SQLite's dialect (a null,
    /// and the column default, which SQLite's dialect writes as null, bound as null; an enum case
    /// as its text), without writing SQL for every value, which asked for the dialect each time
    /// and was a quarter of demo data's builders' time.
    private static func sqliteValue(_ value: DatabaseQuery.Value, encoder: SQLiteDataEncoder) throws -> SQLiteData {
        switch value {
        case .bind(let encodable): try sqliteData(encodable, encoder: encoder)
        case .null, .default: .null
        case .enumCase(let string): .text(string)
        case .array, .dictionary, .custom: throw Failure(description: "A row holds a value the bulk insert does not write.")
        }
    }

    private static func quoted(_ name: String) -> String {
        // Foundation's replacing is slow on Linux; a column name never holds a quote.
        "\"" + (name.utf8.contains(UInt8(ascii: "\"")) ? name.replacingOccurrences(of: "\"", with: "\"\"") : name) + "\""
    }

    /// What `SQLiteDataEncoder` (and a null for a nil optional, as Fluent's converter) makes of a
    /// bound value: the types rows hold most by a cast to the type itself, bound as
    /// `SQLiteBindable` says (a UUID as its text, as its `Encodable` conformance gives it), the
    /// rest by the encoder. The encoder's cast to its protocol for every value, and the cast to
    /// find nil optionals, were a fifth of demo data's builders' time.
    ///
    /// The application's enumerations (a raw `String` or `Int`, encoded as it) are their raw
    /// value, and a list of them or of strings is the JSON text the encoder would write
    /// (`SortedJSON.array`): the encoder tried each as a single value, threw, caught, and then
    /// ran `JSONEncoder`, for about ten lists a new case. `DemoDataTests`
    /// compares every case of the rows' enumerations, their lists and random lists with the
    /// encoder's.
    static func sqliteData(_ value: any Encodable & Sendable, encoder: SQLiteDataEncoder) throws -> SQLiteData {
        if let string = value as? String { return string.sqliteBind }
        if let id = value as? UUID { return id.sqliteBind }
        if let date = value as? Date { return date.sqliteBind }
        if let number = value as? Int { return number.sqliteBind }
        if let flag = value as? Bool { return flag.sqliteBind }
        if let number = value as? Double { return number.sqliteBind }
        // A cast to `any RawRepresentable<String>` checks the raw type's requirement anew each
        // time, slower than the encoder; the plain protocol's conformance is looked up once.
        if let enumeration = value as? any RawRepresentable {
            let raw = rawValue(of: enumeration)
            if let text = raw as? String { return text.sqliteBind }
            if let number = raw as? Int { return number.sqliteBind }
        }
        // Lists of strings and of enumerations (`SQLiteBindable`).
        if let bindable = value as? any SQLiteBindable { return bindable.sqliteBind }
        if let optional = value as? any FluentKit.AnyOptionalType, optional.wrappedValue == nil { return .null }
        return try encoder.encode(value)
    }

    private static func rawValue<T: RawRepresentable>(of value: T) -> Any { value.rawValue }
}
