@testable import ASBServer
import ASBCore
import FluentSQLiteDriver
import Foundation
import SQLKit
import Testing

/// `SQLiteReadRow` decodes ids, enumerations and optionals without SQLiteKit's general path;
/// whatever it decodes must be what SQLiteKit's `SQLiteDataDecoder` (Fluent's, as configured)
/// makes of the same value, and what that refuses it must refuse.
@Suite("SQLite rows' values")
struct SQLiteReadRowTests {
    static let values: [SQLiteData] = [
        .text("Llŷr's café"), .text(" padded "), .text(""), .text("42"), .text("1.5"), .text("0"), .text("1"), .text("true"),
        .text("2026-01-02T03:04:05Z"), .text("2026-01-02 03:04:05"), .text("2026-01-02"),
        .text("01A24DEA-F65D-7000-8003-C93624225993"), .text("01a24dea-f65d-7000-8003-c93624225993"),
        .text("01A24DEA_F65D_7000_8003_C93624225993"), .text("open"), .text("Open"),
        .text(#"["noise","drugs"]"#),
        .integer(0), .integer(1), .integer(2), .integer(-7), .integer(1_790_000_000), .integer(Int.max),
        .float(1.5), .float(-0.25), .float(0), .float(1), .float(1_790_000_000.123456),
        .null, .blob(ByteBuffer(bytes: [0, 1, 2])),
    ]

    /// Both decode `data` as `T` to the same value, or both refuse it.
    static func agree<T: Decodable & Equatable>(_: T.Type, _ data: SQLiteData) -> Bool {
        let row = SQLiteReadRow(columns: .init(names: ["v"]), values: [data])
        let ours = Result { try row.decode(column: "v", as: T.self) }
        let theirs = Result { try SQLiteDataDecoder().decode(T.self, from: data) }
        switch (ours, theirs) {
        case (.success(let a), .success(let b)): return a == b
        case (.failure, .failure): return true
        default: return false
        }
    }

    @Test("Text, numbers, dates, booleans, ids, enumerations, optionals and lists decode as SQLiteKit decodes them")
    func asSQLiteKit() throws {
        for data in Self.values {
            #expect(Self.agree(String.self, data), "String \(data)")
            #expect(Self.agree(Int.self, data), "Int \(data)")
            #expect(Self.agree(Int64.self, data), "Int64 \(data)")
            #expect(Self.agree(Double.self, data), "Double \(data)")
            #expect(Self.agree(Bool.self, data), "Bool \(data)")
            #expect(Self.agree(Date.self, data), "Date \(data)")
            #expect(Self.agree(UUID.self, data), "UUID \(data)")
            #expect(Self.agree(CaseStatus.self, data), "CaseStatus \(data)")
            #expect(Self.agree(String?.self, data), "String? \(data)")
            #expect(Self.agree(Int?.self, data), "Int? \(data)")
            #expect(Self.agree(Double?.self, data), "Double? \(data)")
            #expect(Self.agree(Bool?.self, data), "Bool? \(data)")
            #expect(Self.agree(Date?.self, data), "Date? \(data)")
            #expect(Self.agree(UUID?.self, data), "UUID? \(data)")
            #expect(Self.agree([String].self, data), "[String] \(data)")
        }
        // Some of each kind decode at all (the comparison is not of two refusals only).
        let row = SQLiteReadRow(columns: .init(names: ["t", "i", "f", "n"]), values: [.text("x"), .integer(1), .float(2.5), .null])
        #expect(try row.decode(column: "t", as: String.self) == "x" && row.decode(column: "i", as: Bool.self)
                && row.decode(column: "i", as: Int.self) == 1 && row.decode(column: "f", as: Double.self) == 2.5
                && row.decode(column: "f", as: Date.self) == Date(timeIntervalSince1970: 2.5)
                && row.decode(column: "n", as: Date?.self) == nil)
    }
}
