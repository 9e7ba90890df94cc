import Fluent
import Foundation

/// One email taken in: its `Message-ID` (or a hash of the message when it has none) and what
/// became of it.
final class InboundEmail: Model, @unchecked Sendable {
    static let schema = "inbound_emails"

    enum Outcome: String, Codable, Sendable {
        /// A new report: a new case in the triage queue.
        case newCase
        /// A new incident on the case named in the subject, from its reporter.
        case addedToCase
    }

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: String
    @OptionalParent(key: "case_id") var asbCase: ASBCase?
    @Field(key: "outcome") var outcome: Outcome
    @Field(key: "received_at") var receivedAt: Date

    init() {}
}
