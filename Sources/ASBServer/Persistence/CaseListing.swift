import ASBCore
import Foundation
import SQLKit

/// A case as a row of a work queue shows it: reference, status, priority, hate, dates, the Case
/// Review step and the allocated officer's name, and nothing else.
///
/// The queues read these with plain SQL, not as Fluent models: a queue's page is the most read
/// thing in the system, and Fluent builds a whole `ASBCase` (43 properties, three JSON arrays)
/// and a whole `User` for each row, then frees them, which was two fifths of the server's CPU
/// for a queue's page. A listing is ten columns decoded by name into a struct.
struct CaseListing: Sendable, Equatable {
    struct Officer: Sendable, Equatable {
        var id: UUID
        var displayName: String
    }

    var id: UUID
    var reference: String
    var status: CaseStatus
    var priority: Priority?
    var hate: Bool
    var receivedAt: Date
    var lastIncidentAt: Date
    var caseReviewStatus: CaseReviewStatus?
    var caseReviewDueAt: Date?
    var officer: Officer?
}

extension CaseListing {
    /// The columns `init(row:)` reads, from `cases c` and its `officer` join.
    static let columns: SQLQueryString = """
        c.id AS c_id, c.reference AS c_reference, c.status AS c_status, c.priority AS c_priority, c.hate AS c_hate, \
        c.received_at AS c_received_at, c.last_incident_at AS c_last_incident_at, c.case_review_status AS c_case_review_status, \
        c.case_review_due_at AS c_case_review_due_at, c.allocated_officer_id AS c_officer_id, u.display_name AS c_officer_name
        """

    /// The join that names the case's officer, after `cases c` in a FROM clause.
    static let officer: SQLQueryString = "LEFT JOIN users u ON u.id = c.allocated_officer_id"

    init(row: any SQLRow) throws {
        let officerID = try row.decodeIfPresent(column: "c_officer_id", as: UUID.self)
        self.init(
            id: try row.decode(column: "c_id", as: UUID.self),
            reference: try row.decode(column: "c_reference", as: String.self),
            status: try row.decodeRaw(column: "c_status", as: CaseStatus.self),
            priority: try row.decodeIfPresent(column: "c_priority", as: Int.self).map { try Self.raw($0, as: Priority.self, column: "c_priority") },
            hate: try row.decode(column: "c_hate", as: Bool.self),
            receivedAt: try row.decode(column: "c_received_at", as: Date.self),
            lastIncidentAt: try row.decode(column: "c_last_incident_at", as: Date.self),
            caseReviewStatus: try row.decodeIfPresent(column: "c_case_review_status", as: String.self)
                .map { try Self.raw($0, as: CaseReviewStatus.self, column: "c_case_review_status") },
            caseReviewDueAt: try row.decodeIfPresent(column: "c_case_review_due_at", as: Date.self),
            officer: try officerID.map { Officer(id: $0, displayName: try row.decode(column: "c_officer_name", as: String.self)) })
    }

    /// The listing of a case already in hand (the case list's rows shown as queue rows).
    init(_ c: ASBCase) {
        self.init(id: c.id ?? UUID(), reference: c.reference, status: c.status, priority: c.priority, hate: c.hate,
                  receivedAt: c.receivedAt, lastIncidentAt: c.lastIncidentAt, caseReviewStatus: c.caseReviewStatus,
                  caseReviewDueAt: c.caseReviewDueAt,
                  officer: (c.$allocatedOfficer.value ?? nil).flatMap { user in user.id.map { Officer(id: $0, displayName: user.displayName) } })
    }

    fileprivate static func raw<E: RawRepresentable>(_ value: E.RawValue, as: E.Type, column: String) throws -> E {
        guard let decoded = E(rawValue: value) else { throw UnknownStoredValue(column: column, value: "\(value)") }
        return decoded
    }
}

/// A stored value no case of the enum names: the database holds something this build does not know.
struct UnknownStoredValue: Error, CustomStringConvertible {
    var column: String
    var value: String
    var description: String { "Column \(column) holds \(value), which this version does not know." }
}

extension SQLRow {
    /// The column's value, or nil when it is NULL (decoding the optional type itself takes the
    /// drivers' slow, general path).
    func decodeIfPresent<T: Decodable>(column: String, as type: T.Type) throws -> T? {
        try decodeNil(column: column) ? nil : decode(column: column, as: T.self)
    }

    /// A `String`-backed enum stored as its raw value.
    func decodeRaw<E: RawRepresentable>(column: String, as type: E.Type) throws -> E where E.RawValue == String {
        try CaseListing.raw(decode(column: column, as: String.self), as: E.self, column: column)
    }
}
