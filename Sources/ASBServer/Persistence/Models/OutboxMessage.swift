import ASBCore
import Fluent
import Foundation

/// One message waiting to go, or gone: an email for the sender job, or a letter to print.
final class OutboxMessage: Model, @unchecked Sendable {
    static let schema = "outbox_messages"

    enum Status: String, Codable, Sendable, CaseIterable {
        /// Waiting for the sender (email) or for someone to print and post it (letter).
        case pending
        case sent
        /// Refused permanently by the mail server, or out of attempts: staff see it on the case.
        case failed
    }

    @ID(key: .id) var id: UUID?
    @OptionalParent(key: "case_id") var asbCase: ASBCase?
    @Field(key: "kind") var kind: MessageKind
    @Field(key: "channel") var channel: DeliveryChannel
    @OptionalParent(key: "recipient_party_id") var recipientParty: Party?
    @OptionalParent(key: "recipient_user_id") var recipientUser: User?
    @OptionalField(key: "recipient_name") var recipientName: String?
    /// An email address, or for a letter the postal address block.
    @Field(key: "to_address") var toAddress: String
    @Field(key: "subject") var subject: String
    @Field(key: "text_body") var textBody: String
    @Field(key: "status") var status: Status
    @Field(key: "attempts") var attempts: Int
    @Field(key: "next_attempt_at") var nextAttemptAt: Date
    /// Set while one sender instance holds it, so two instances never send it twice.
    @OptionalField(key: "claimed_until") var claimedUntil: Date?
    @OptionalField(key: "last_error") var lastError: String?
    /// The `Message-ID`, without angle brackets.
    @Field(key: "message_id") var messageID: String
    /// One message per event: `acknowledgement:<case>`, `dueSoon:<milestone>`, …
    @Field(key: "dedupe_key") var dedupeKey: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?

    init() {}
}
