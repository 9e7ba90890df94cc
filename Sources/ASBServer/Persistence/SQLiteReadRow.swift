import FluentSQLiteDriver
import Foundation
import SQLKit

/// An SQLite row as SQLKit's, decoding the values stored rows hold most without SQLiteKit's
/// general path, which decodes an id, an enumeration or an optional through `Decodable`: a
/// single-value decoder made for the value, then a string decoded and parsed from it. At
/// 1,000,000 cases decoding the 220 caseworkers a case page offers was 6% of its server time.
///
/// An id (`UUID`) stored as text is parsed as `UUID.init(from:)` parses it; a `String`-backed
/// enumeration is made from its raw value, as its synthesised `Decodable` does (every
/// `RawRepresentable` type of the application decodes so; the types with a `Decodable` of
/// their own, such as `DeadlineRule`, are not `RawRepresentable`). A value no case names, or
/// any other raw type, takes SQLiteKit's path, which throws as before. An optional is nil for NULL and otherwise its
/// wrapped value decoded so. Everything else (text, numbers, dates, lists stored as JSON) is
/// SQLiteKit's `SQLiteDataDecoder`, as configured for Fluent (configure.swift: the default).
/// `PreparedReads.all` reads SQLite rows as these; PlainSQLReadTests compares every model read
/// so with Fluent's own reading, field by field.
struct SQLiteReadRow: SQLRow {
    let row: SQLiteRow

    private static let decoder = SQLiteDataDecoder()

    struct MissingColumn: Error, CustomStringConvertible {
        var column: String
        var description: String { "No column \(column) in the row." }
    }

    var allColumns: [String] { row.columns.map(\.name) }

    func contains(column: String) -> Bool { row.column(column) != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let data = row.column(column) else { return true }
        return data == .null
    }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let data = row.column(column) else { throw MissingColumn(column: column) }
        return try Self.decode(D.self, from: data)
    }

    fileprivate static func decode<D: Decodable>(_: D.Type, from data: SQLiteData) throws -> D {
        if let optional = D.self as? any OptionalColumn.Type {
            return try optional.decode(from: data) as! D
        }
        if case .text(let text) = data {
            if D.self == UUID.self, let id = UUID(uuidString: text) { return id as! D }
            if let enumeration = D.self as? any RawRepresentable.Type, let value = Self.enumeration(enumeration, text) {
                return value as! D
            }
        }
        return try decoder.decode(D.self, from: data)
    }

    private static func enumeration<E: RawRepresentable>(_: E.Type, _ text: String) -> E? {
        (text as? E.RawValue).flatMap(E.init(rawValue:))
    }
}

/// An optional column: nil for NULL, else the wrapped value (`SQLiteReadRow.decode`).
private protocol OptionalColumn {
    static func decode(from data: SQLiteData) throws -> Self
}

extension Optional: OptionalColumn where Wrapped: Decodable {
    fileprivate static func decode(from data: SQLiteData) throws -> Self {
        data == .null ? nil : try SQLiteReadRow.decode(Wrapped.self, from: data)
    }
}
