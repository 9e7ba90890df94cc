import Fluent
import FluentSQL
import SQLKit
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
