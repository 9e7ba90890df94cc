import ASBCore
import Fluent
import Foundation

/// One service deadline of a case (SS-RT-2..4) and when it was met.
final class CaseMilestone: Model, @unchecked Sendable {
    static let schema = "case_milestones"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "milestone") var milestone: Milestone
    /// The priority whose schedule produced this deadline.
    @Field(key: "priority") var priority: Priority
    /// `DeadlineRule.storageValue`, e.g. `workingHours:24`.
    @Field(key: "rule") var rule: String
    /// The due time explained in words, as computed with the calendar of the day.
    @Field(key: "explanation") var explanation: String
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "met_at") var metAt: Date?
    @OptionalParent(key: "met_by_id") var metBy: User?
    @OptionalField(key: "met_note") var metNote: String?
    /// Set once by the breach scan, so each breach is recorded once.
    @OptionalField(key: "breach_recorded_at") var breachRecordedAt: Date?
    /// When met: the working time from the case's receipt to `metAt` in the rule's unit (hours or
    /// days), with the calendar of the day, as the deadline was. The statistics aggregate it.
    @OptionalField(key: "elapsed") var elapsed: Double?
    /// The case's closure time while it is closed (a copy of `cases.closed_at`), so the queues
    /// find the pending milestones of open cases through an index, not past every closed case's.
    @OptionalField(key: "case_closed_at") var caseClosedAt: Date?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    func state(now: Date) -> MilestoneState { MilestoneState.state(dueAt: dueAt, metAt: metAt, now: now) }
}

/// A questionnaire version as scored: assessments refer to it, so every score can be explained later.
final class RiskQuestionnaireRecord: Model, @unchecked Sendable {
    static let schema = "risk_questionnaires"

    @ID(custom: "version", generatedBy: .user) var id: String?
    @Field(key: "definition") var definition: String
    @Field(key: "created_at") var createdAt: Date

    init() {}
}

/// One risk assessment of a case (SS-RT-1).
final class RiskAssessmentRecord: Model, @unchecked Sendable {
    static let schema = "risk_assessments"

    enum Source: String, Codable, Sendable { case intake, officer }

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "questionnaire_version") var questionnaireVersion: String
    /// Question id → choice value, as JSON.
    @Field(key: "answers") var answers: String
    @Field(key: "score") var score: Int
    @Field(key: "level") var level: RiskLevel
    @Field(key: "computed_priority") var computedPriority: Priority
    @Field(key: "priority") var priority: Priority
    @OptionalField(key: "override_reason") var overrideReason: String?
    @Field(key: "reasons") var reasons: [String]
    @Field(key: "support_needs") var supportNeeds: [SupportNeed]
    @Field(key: "not_asb") var notASB: Bool
    @Field(key: "source") var source: Source
    @OptionalParent(key: "assessed_by_id") var assessedBy: User?
    @Field(key: "assessed_at") var assessedAt: Date

    init() {}
}

/// An admin's change to the computed calendar.
final class CalendarOverride: Model, @unchecked Sendable {
    static let schema = "calendar_overrides"

    enum Kind: String, Codable, Sendable { case closureDay, extraHoliday, removedHoliday }

    @ID(key: .id) var id: UUID?
    @Field(key: "region") var region: CalendarRegion
    @Field(key: "kind") var kind: Kind
    /// `YYYY-MM-DD`.
    @Field(key: "date") var date: String
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalParent(key: "created_by_id") var createdBy: User?

    init() {}
}

/// A holiday from an imported GOV.UK bank-holidays list; for the years it covers, the list
/// replaces the computed holidays.
final class ImportedHoliday: Model, @unchecked Sendable {
    static let schema = "calendar_imported_holidays"

    @ID(key: .id) var id: UUID?
    @Field(key: "region") var region: CalendarRegion
    @Field(key: "year") var year: Int
    @Field(key: "date") var date: String
    @Field(key: "name") var name: String

    init() {}
}
