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
/// SQLiteKit's `SQLiteDataDecoder`, as configured for Fluent (configure.swift: the default);
/// `SQLiteReadRowTests` holds every path to what that decoder makes of the same value.
/// `PreparedReads.all` reads SQLite rows as these (`SQLiteStatementReaders` makes them; rows
/// read in a transaction are SQLiteNIO's, copied); PlainSQLReadTests compares every model read
/// so with Fluent's own reading, field by field.
struct SQLiteReadRow: SQLRow {
    /// A statement's column names, shared by its rows; a name given twice finds the first.
    final class Columns: Sendable {
        let names: [String]
        let offsets: [String: Int]

        init(names: [String]) {
            self.names = names
            offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
    }

    let columns: Columns
    let values: [SQLiteData]

    private static let decoder = SQLiteDataDecoder()

    struct MissingColumn: Error, CustomStringConvertible {
        var column: String
        var description: String { "No column \(column) in the row." }
    }

    /// SQLiteNIO's rows of one statement, sharing one list of columns.
    static func rows(_ rows: [SQLiteRow]) -> [SQLiteReadRow] {
        guard let first = rows.first else { return [] }
        let columns = Columns(names: first.columns.map(\.name))
        return rows.map { SQLiteReadRow(columns: columns, values: $0.columns.map(\.data)) }
    }

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    private func value(_ column: String) -> SQLiteData? {
        columns.offsets[column].map { values[$0] }
    }

    func decodeNil(column: String) throws -> Bool {
        guard let data = value(column) else { return true }
        return data == .null
    }

    func decode<D: Decodable>(column: String, as: D.Type) throws -> D {
        guard let data = value(column) else { throw MissingColumn(column: column) }
        return try Self.decode(D.self, from: data)
    }

    fileprivate static func decode<D: Decodable>(_: D.Type, from data: SQLiteData) throws -> D {
        if let optional = D.self as? any OptionalColumn.Type {
            return try optional.decode(from: data) as! D
        }
        if case .text(let text) = data {
            if D.self == UUID.self, let id = UUID(storedText: text) { return id as! D }
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

extension UUID {
    /// An id stored as text, as `UUID(uuidString:)` reads it, the canonical 36 characters
    /// (`8-4-4-4-12` hex digits, either case) read directly. Foundation parses with the C
    /// library's `sscanf`: 2% of a case page's server time at 1,000,000 cases (every row has ids).
    init?(storedText text: String) {
        var text = text
        let fast: UUID? = text.withUTF8 { bytes in
            guard bytes.count == 36 else { return nil }
            var id: uuid_t = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            let parsed = withUnsafeMutableBytes(of: &id) { out -> Bool in
                var i = 0, j = 0
                while i < 36 {
                    if i == 8 || i == 13 || i == 18 || i == 23 {
                        guard bytes[i] == UInt8(ascii: "-") else { return false }
                        i += 1
                        continue
                    }
                    guard let high = Self.hexValue(bytes[i]), let low = Self.hexValue(bytes[i + 1]) else { return false }
                    out[j] = high << 4 | low
                    i += 2
                    j += 1
                }
                return true
            }
            return parsed ? UUID(uuid: id) : nil
        }
        // Anything else is Foundation's to accept or refuse.
        guard let id = fast ?? UUID(uuidString: text) else { return nil }
        self = id
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
