import ASBCore
import Fluent
import Foundation

/// A file on a case: evidence for an incident, a document for an enforcement step, or the case.
final class Attachment: Model, @unchecked Sendable {
    static let schema = "attachments"

    @ID(key: .id) var id: UUID?
    @Parent(key: "case_id") var asbCase: ASBCase
    @OptionalParent(key: "incident_id") var incident: IncidentReport?
    @OptionalParent(key: "enforcement_id") var enforcement: EnforcementAction?
    /// The name it was uploaded with; shown, never trusted for its type.
    @Field(key: "file_name") var fileName: String
    /// The type found in the content itself.
    @Field(key: "type") var type: EvidenceType
    @Field(key: "size") var size: Int
    @Field(key: "sha256") var sha256: String
    @Field(key: "restricted") var restricted: Bool
    @OptionalParent(key: "uploaded_by_id") var uploadedBy: User?
    @Field(key: "uploaded_at") var uploadedAt: Date

    init() {}
}

/// The bytes of an attachment.
final class AttachmentContent: Model, @unchecked Sendable {
    static let schema = "attachment_contents"

    @ID(custom: "attachment_id", generatedBy: .user) var id: UUID?
    @Field(key: "content") var content: Data

    init() {}
}
