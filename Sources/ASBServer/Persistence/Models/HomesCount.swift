import Fluent
import Foundation

/// The number of homes the landlord owns in a reporting year, for the Tenant Satisfaction
/// Measure NM01 (ASB cases per 1,000 homes). One row per financial year.
final class HomesCount: Model, @unchecked Sendable {
    static let schema = "homes_counts"

    @ID(key: .id) var id: UUID?
    /// The calendar year in which the financial year starts: 2026 for 2026/27.
    @Field(key: "year_start") var yearStart: Int
    @Field(key: "homes") var homes: Int
    @OptionalParent(key: "updated_by_id") var updatedBy: User?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}
}
