import Fluent
import FluentSQL

/// A message's HTML part is made from its text when it is sent (`MessageComposer.html(text:)`),
/// not stored beside it: the HTML repeated the text with tags, and was the largest part of what
/// a new case wrote (an acknowledgement, and for priority 1 a team leader's alert, each about
/// 0.6 KB more). Messages already queued lose nothing: their HTML is made from their text too.
struct UpdateOutboxDropHTMLBody: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("outbox_messages").deleteField("html_body").update()
    }

    func revert(on database: any Database) async throws {
        // Earlier versions require the column: messages queued since would go with an empty HTML part.
        try await database.schema("outbox_messages").field("html_body", .string, .required, .sql(.default(""))).update()
    }
}
