import Fluent
import FluentSQL
import SQLKit
import Synchronization
import Vapor

// What the reads written in plain SQL share (the lists, the queues, the statistics): the SQL
// database under Fluent's, the keyset condition of a cursor, and decoding stored values by column.

extension Database {
    /// This database as SQLKit's, which both drivers are.
    var sql: any SQLDatabase {
        get throws {
            guard let sql = self as? any SQLDatabase else { throw Abort(.internalServerError, reason: "This needs an SQL database") }
            return sql
        }
    }
}

extension SQLQueryString {
    /// The rows after a cursor's `(key, tie)` in the order `ORDER BY key, tie` (both ascending, or
    /// both descending with `descending`), written so an index on the two walks from the cursor.
    static func after(_ key: String, _ value: any Encodable & Sendable, then tie: String, _ tieValue: any Encodable & Sendable,
                      descending: Bool) -> SQLQueryString {
        let op = descending ? "<" : ">"
        return """
            (\(unsafeRaw: key) \(unsafeRaw: op) \(bind: value) OR (\(unsafeRaw: key) = \(bind: value) AND \(unsafeRaw: tie) \(unsafeRaw: op) \(bind: tieValue)))
            """
    }
}

/// A stored value no case of the enum names: the database holds something this build does not know.
struct UnknownStoredValue: Error, CustomStringConvertible {
    var column: String
    var value: String
    var description: String { "Column \(column) holds \(value), which this version does not know." }

    static func decode<E: RawRepresentable>(_ value: E.RawValue, as: E.Type, column: String) throws -> E {
        guard let decoded = E(rawValue: value) else { throw UnknownStoredValue(column: column, value: "\(value)") }
        return decoded
    }
}

extension SQLRow {
    /// The column's value, or nil when it is NULL (decoding the optional type itself takes the
    /// drivers' slow, general path).
    func decodeIfPresent<T: Decodable>(column: String, as type: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }

    /// A `String`-backed enum stored as its raw value.
    func decodeRaw<E: RawRepresentable>(column: String, as type: E.Type) throws -> E where E.RawValue == String {
        try UnknownStoredValue.decode(decode(column: column, as: String.self), as: E.self, column: column)
    }
}

// MARK: Fluent models read with plain SQL
//
// The reads every case request makes (the case by its reference, its parties, incidents and
// deadlines) skip Fluent's query builder: it writes each query's SQL through sql-kit, which quotes
// every column name with the standard library's `replacing` (slow on Linux) and so spent more
// time writing a simple query than SQLite spent running it. The rows still decode into the same
// models, marked as stored, so they save and update like any other.

extension Model {
    /// The rows of `SELECT <every field> FROM <schema> <clause>` as models, read with
    /// `PreparedReads` (prepared once per connection on PostgreSQL).
    static func stored(_ clause: SQLQueryString, on db: any Database) async throws -> [Self] {
        try await PreparedReads.all("SELECT \(unsafeRaw: selectList) FROM \(unsafeRaw: schema) \(clause)", on: db)
            .map { try $0.decode(fluentModel: Self.self) }
    }

    /// The first row of `SELECT <every field> FROM <schema> <clause> LIMIT 1` as a model.
    static func storedFirst(_ clause: SQLQueryString, on db: any Database) async throws -> Self? {
        try await PreparedReads.all("SELECT \(unsafeRaw: selectList) FROM \(unsafeRaw: schema) \(clause) LIMIT 1", on: db).first?
            .decode(fluentModel: Self.self)
    }

    /// The model's columns by name rather than `*`: a statement PostgreSQL has prepared keeps its
    /// result type when a later version adds a column to the table.
    private static var selectList: String {
        ColumnNames.of(Self.self).map { "\"\($0)\"" }.joined(separator: ", ")
    }
}

extension Array where Element: Model {
    /// Reads the parent each element names at `keyPath`, all in one query, and sets it as loaded
    /// (what Fluent's `with` does).
    func loadParents<Parent: Model>(_ keyPath: KeyPath<Element, ParentProperty<Element, Parent>>,
                                    on db: any Database) async throws where Parent.IDValue: Encodable & Sendable {
        let parents = try await Parent.byID(map { $0[keyPath: keyPath].id }, on: db)
        for element in self { element[keyPath: keyPath].value = parents[element[keyPath: keyPath].id] }
    }

    /// Reads the parent each element names at `keyPath`, if any, all in one query, and sets it as
    /// loaded (nil where there is none).
    func loadParents<Parent: Model>(_ keyPath: KeyPath<Element, OptionalParentProperty<Element, Parent>>,
                                    on db: any Database) async throws where Parent.IDValue: Encodable & Sendable {
        let parents = try await Parent.byID(compactMap { $0[keyPath: keyPath].id }, on: db)
        for element in self {
            element[keyPath: keyPath].value = .some(element[keyPath: keyPath].id.flatMap { parents[$0] })
        }
    }
}

extension Array where Element: Model, Element.IDValue: Encodable & Sendable {
    /// Reads the children of every element at `keyPath`, all in one query in the order
    /// `orderBy` (SQL), and sets each element's as loaded (what Fluent's `with` does).
    @discardableResult
    func loadChildren<Child: Model>(_ keyPath: KeyPath<Element, ChildrenProperty<Element, Child>>, orderBy: String,
                                    on db: any Database) async throws -> [Child] {
        guard let first else { return [] }
        let parentID: (Child) -> Element.IDValue?
        let column: FieldKey
        switch first[keyPath: keyPath].parentKey {
        case .required(let parent):
            column = Child()[keyPath: parent].$id.key
            parentID = { $0[keyPath: parent].id }
        case .optional(let parent):
            column = Child()[keyPath: parent].$id.key
            parentID = { $0[keyPath: parent].id }
        }
        let ids = compactMap(\.id)
        let children = ids.isEmpty ? [] : try await Child.stored(
            "WHERE \(unsafeRaw: column.description) IN (\(binds: ids)) ORDER BY \(unsafeRaw: orderBy)", on: db)
        let byParent = Dictionary(grouping: children) { parentID($0) }
        for element in self { element[keyPath: keyPath].value = element.id.flatMap { byParent[$0] } ?? [] }
        return children
    }
}

private extension Model where IDValue: Encodable & Sendable {
    /// The rows with these ids; those `ParentRows.current` already holds are not read again.
    static func byID(_ ids: [IDValue], on db: any Database) async throws -> [IDValue: Self] {
        var found: [IDValue: Self] = [:]
        var missing = Set(ids)
        if let known = ParentRows.current {
            found = known.rows(of: Self.self, ids: missing)
            missing.subtract(found.keys)
        }
        guard !missing.isEmpty else { return found }
        let rows = try await stored("WHERE \(unsafeRaw: Self()._$id.key.description) IN (\(binds: Array(missing)))", on: db)
        for row in rows { if let id = row.id, found[id] == nil { found[id] = row } }
        ParentRows.current?.keep(rows)
        return found
    }
}

/// Each model's column names, found once: Fluent finds a model's fields by reflection, which
/// cost more than the statement that reads them.
private enum ColumnNames {
    private static let names = Mutex<[ObjectIdentifier: [String]]>([:])

    static func of<M: Model>(_ type: M.Type) -> [String] {
        if let known = names.withLock({ $0[ObjectIdentifier(type)] }) { return known }
        let found = M.keys.map(\.description)
        names.withLock { $0[ObjectIdentifier(type)] = found }
        return found
    }
}

/// The parent rows (officers, people, agencies) read during one piece of read-only work, so a
/// row that several parts of it name is read once: on a case page the allocated officer who
/// recorded the incidents, the contacts, the plan and the meeting was read six times, one
/// statement each. Set it with `ParentRows.$current.withValue(ParentRows()) { ... }` around work
/// that does not change those rows; `loadParents` reads through it.
final class ParentRows: Sendable {
    @TaskLocal static var current: ParentRows?

    private let byType = Mutex<[ObjectIdentifier: [AnyHashable: any Model]]>([:])

    fileprivate func rows<M: Model>(of type: M.Type, ids: Set<M.IDValue>) -> [M.IDValue: M] {
        byType.withLock { byType in
            guard let known = byType[ObjectIdentifier(type)] else { return [:] }
            var found: [M.IDValue: M] = [:]
            for id in ids { if let row = known[AnyHashable(id)] as? M { found[id] = row } }
            return found
        }
    }

    func keep<M: Model>(_ rows: [M]) {
        byType.withLock { byType in
            for row in rows { if let id = row.id { byType[ObjectIdentifier(M.self), default: [:]][AnyHashable(id)] = row } }
        }
    }
}

// MARK: Two models from one joined row

extension Model {
    /// `<alias>."<column>" AS "<prefix><column>"` for every field of the model: its columns beside
    /// another table's in one joined row, read back with `SQLRow.decode(fluentModel:prefix:)`
    /// (or, with an empty prefix, with `decode(fluentModel:)`).
    static func columns(of alias: String, prefixed prefix: String) -> SQLQueryString {
        let list = ColumnNames.of(Self.self).map { "\(alias).\"\($0)\" AS \"\(prefix)\($0)\"" }.joined(separator: ", ")
        return "\(unsafeRaw: list)"
    }
}

extension SQLRow {
    /// A model from the columns `Model.columns(of:prefixed:)` selected, marked as stored.
    func decode<M: Model>(fluentModel: M.Type, prefix: String) throws -> M {
        let model = M()
        try model.output(from: PrefixedOutput(row: self, prefix: prefix))
        return model
    }

    /// The same for a LEFT JOIN's row: nil when it joined none (its id column is NULL).
    func decodeIfPresent<M: Model>(fluentModel: M.Type, prefix: String) throws -> M? {
        try decodeNil(column: prefix + M()._$id.key.description) ? nil : decode(fluentModel: M.self, prefix: prefix)
    }
}

/// A row's columns named `<prefix><field key>`, as a model's output.
private struct PrefixedOutput: DatabaseOutput {
    let row: any SQLRow
    let prefix: String

    var description: String { "\(row) (columns prefixed \(prefix))" }
    func schema(_ schema: String) -> any DatabaseOutput { self }
    func contains(_ key: FieldKey) -> Bool { row.contains(column: prefix + key.description) }
    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: prefix + key.description) }
    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        try row.decode(column: prefix + key.description, as: T.self)
    }
}
