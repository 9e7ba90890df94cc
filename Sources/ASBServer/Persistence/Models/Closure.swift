import ASBCore
import Fluent
import Foundation

/// A proposal to close a case for one of the five reasons (SS-CLS-1).
final class ClosureProposal: Model, @unchecked Sendable {
    static let schema = "closure_proposals"

    enum Status: String, Codable, Sendable { case pending, cancelled, closed }

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "reason") var reason: ClosureReason
    /// For the reporter: every closure message carries it.
    @OptionalField(key: "explanation") var explanation: String?
    @OptionalField(key: "withdrawal_how") var withdrawalHow: String?
    @OptionalField(key: "withdrawal_on") var withdrawalOn: String?
    @Field(key: "status") var status: Status
    /// None when the 60-day job proposed it.
    @OptionalParent(key: "proposed_by_id") var proposedBy: User?
    @Field(key: "proposed_at") var proposedAt: Date
    @OptionalParent(key: "approved_by_id") var approvedBy: User?
    @OptionalField(key: "approved_at") var approvedAt: Date?
    @OptionalField(key: "ended_at") var endedAt: Date?
    @OptionalField(key: "end_note") var endNote: String?
    @Children(for: \.$proposal) var contacts: [ClosureContactRecord]

    init() {}
}

/// A visit, call or letter to agree the closure with the reporter (SS-CLS-2).
final class ClosureContactRecord: Model, @unchecked Sendable {
    static let schema = "closure_contacts"

    @ID(key: .id) var id: UUID?
    @Parent(key: "proposal_id") var proposal: ClosureProposal
    @Field(key: "method") var method: ClosureContactMethod
    @Field(key: "outcome") var outcome: ClosureContactOutcome
    /// The reporter's reasons when they disagreed.
    @OptionalField(key: "reasons") var reasons: String?
    @Field(key: "at") var at: Date
    @OptionalParent(key: "recorded_by_id") var recordedBy: User?

    init() {}

    var rule: ClosureContact {
        ClosureContact(method: method, outcome: outcome, on: LondonTime.localDateTime(for: at).date)
    }
}

/// A satisfaction survey due after closure (SS-MON-3); the monitoring work sends it.
final class SatisfactionSurvey: Model, @unchecked Sendable {
    static let schema = "satisfaction_surveys"

    /// `due`, then `answered`.
    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @Field(key: "status") var status: String
    @Field(key: "due_at") var dueAt: Date
    /// The hash of the one-time link's token.
    @OptionalField(key: "token_hash") var tokenHash: String?
    /// `link`, `phone` or `paper`.
    @OptionalField(key: "answered_by") var answeredBy: SurveyChannel?
    @OptionalField(key: "answered_at") var answeredAt: Date?
    @OptionalField(key: "overall") var overall: Int?
    @OptionalField(key: "kept_informed") var keptInformed: Int?
    @OptionalField(key: "ease_of_reporting") var easeOfReporting: Int?
    @OptionalField(key: "listened_to") var listenedTo: Int?
    @OptionalField(key: "would_report_again") var wouldReportAgain: Bool?
    @OptionalField(key: "comments") var comments: String?
    @OptionalParent(key: "entered_by_id") var enteredBy: User?

    init() {}
}
