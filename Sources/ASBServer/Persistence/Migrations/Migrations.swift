import ASBCore
import Fluent
import FluentSQL

/// Every migration, in the order they run. One file per change, never edited once landed.
enum Migrations {
    /// `calendarRegion`: the working calendar that migrations computing working time use.
    static func all(calendarRegion: CalendarRegion) -> [any Migration] {
        [
            CreatePartnerAgency(),
            SeedPartnerAgencies(),
            CreateUser(),
            CreateAPIToken(),
            CreateNeighbourhood(),
            CreateProperty(),
            CreateParty(),
            CreateCase(),
            CreateCaseReferenceCounter(),
            CreateCaseParty(),
            CreateIncidentReport(),
            CreateAuditEvent(),
            CreateCaseEvent(),
            CreateIdempotencyRecord(),
            CreateThrottleEvent(),
            CreateCalendarOverride(),
            CreateCaseMilestone(),
            CreateRiskAssessment(),
            CreateReferral(),
            CreateContact(),
            CreateActionPlan(),
            CreateEnforcement(),
            CreateReviewMeeting(),
            CreateAttachment(),
            CreateClosure(),
            CreateCommunityNotice(),
            CreateCaseReviewApplication(),
            CreateOutboxMessage(),
            CreateInboundEmail(),
            CreateOpen311(),
            UpdateSatisfactionSurveyAddAnswers(),
            CreateFeedback(),
            CreateInternalReview(),
            CreateDissatisfactionReview(),
            CreateHomesCount(),
            UpdateAPITokenAddLastUsed(),
            UpdateCaseAddRetention(),
            CreateTwoFactor(),
            CreateFollowUpIndex(),
            UpdateMilestoneAddElapsedAndCaseClosed(calendarRegion: calendarRegion),
            CreateCaseChildIndexes(),
            UpdatePartySearchIndexes(),
            UpdateCaseClosedIndex(),
            CreateOverdueMilestoneIndex(),
            UpdateOutboxDropHTMLBody(),
            CreateAuditListings(),
            DropAuditActorIndex(),
        ]
    }
}

extension Database {
    /// Creates an index (SQLKit: Fluent's schema builder has none). Same SQL on SQLite and PostgreSQL.
    func createIndex(_ name: String, on table: String, columns: [String], unique: Bool = false) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        if unique { builder = builder.unique() }
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }

    func dropIndex(_ name: String) async throws {
        guard let sql = self as? any SQLDatabase else { return }
        try await sql.drop(index: name).run()
    }
}
