import ASBCore
import Foundation
import SQLKit

/// A case as a row of a work queue or the case list shows it: reference, status, priority, what
/// it is about, dates, the Case Review step, its neighbourhood and officer by name, and nothing
/// else.
///
/// The queues and the case list read these with plain SQL, not as Fluent models: they are the
/// most read things in the system, and Fluent builds a whole `ASBCase` (43 properties) and a
/// whole `User` and `Neighbourhood` for each row, then frees them, which was over half of the
/// server's CPU for a queue's page. A listing is a few columns decoded by name into a struct.
struct CaseListing: Sendable, Equatable {
    /// A user or neighbourhood by name.
    struct Named: Sendable, Equatable {
        var id: UUID
        var name: String
    }

    var id: UUID
    var reference: String
    var status: CaseStatus
    var priority: Priority?
    var hate: Bool
    var hateStrands: [HateStrand]
    var categories: [IncidentCategory]
    var channel: ReportChannel
    var receivedAt: Date
    var lastIncidentAt: Date
    var caseReviewStatus: CaseReviewStatus?
    var caseReviewDueAt: Date?
    var neighbourhood: Named?
    var officer: Named?
}

extension CaseListing {
    /// The columns `init(row:)` reads, from `cases c` and its `joins`.
    static let columns: SQLQueryString = """
        c.id AS c_id, c.reference AS c_reference, c.status AS c_status, c.priority AS c_priority, c.hate AS c_hate, \
        c.hate_strands AS c_hate_strands, c.categories AS c_categories, c.channel AS c_channel, \
        c.received_at AS c_received_at, c.last_incident_at AS c_last_incident_at, c.case_review_status AS c_case_review_status, \
        c.case_review_due_at AS c_case_review_due_at, c.neighbourhood_id AS c_neighbourhood_id, n.name AS c_neighbourhood_name, \
        c.allocated_officer_id AS c_officer_id, u.display_name AS c_officer_name
        """

    /// The joins that name the case's neighbourhood and officer, after `cases c` in a FROM clause.
    static let joins: SQLQueryString = """
        LEFT JOIN neighbourhoods n ON n.id = c.neighbourhood_id LEFT JOIN users u ON u.id = c.allocated_officer_id
        """

    init(row: any SQLRow) throws {
        func named(_ id: String, _ name: String) throws -> Named? {
            try row.decodeIfPresent(column: id, as: UUID.self).map { Named(id: $0, name: try row.decode(column: name, as: String.self)) }
        }
        self.init(
            id: try row.decode(column: "c_id", as: UUID.self),
            reference: try row.decode(column: "c_reference", as: String.self),
            status: try row.decodeRaw(column: "c_status", as: CaseStatus.self),
            priority: try row.decodeIfPresent(column: "c_priority", as: Int.self).map { try UnknownStoredValue.decode($0, as: Priority.self, column: "c_priority") },
            hate: try row.decode(column: "c_hate", as: Bool.self),
            hateStrands: try row.decode(column: "c_hate_strands", as: [String].self).map { try UnknownStoredValue.decode($0, as: HateStrand.self, column: "c_hate_strands") },
            categories: try row.decode(column: "c_categories", as: [String].self).map { try UnknownStoredValue.decode($0, as: IncidentCategory.self, column: "c_categories") },
            channel: try row.decodeRaw(column: "c_channel", as: ReportChannel.self),
            receivedAt: try row.decode(column: "c_received_at", as: Date.self),
            lastIncidentAt: try row.decode(column: "c_last_incident_at", as: Date.self),
            caseReviewStatus: try row.decodeIfPresent(column: "c_case_review_status", as: String.self)
                .map { try UnknownStoredValue.decode($0, as: CaseReviewStatus.self, column: "c_case_review_status") },
            caseReviewDueAt: try row.decodeIfPresent(column: "c_case_review_due_at", as: Date.self),
            neighbourhood: try named("c_neighbourhood_id", "c_neighbourhood_name"),
            officer: try named("c_officer_id", "c_officer_name"))
    }
}
