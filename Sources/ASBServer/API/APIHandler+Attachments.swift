import ASBCore
import Foundation
import OpenAPIRuntime
import Vapor

extension APIHandler {
    func listAttachments(_ input: Operations.ListAttachments.Input) async throws -> Operations.ListAttachments.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        return .ok(.init(body: .json(try await ctx.attachments.list(of: input.path.reference, by: .staff(user)).map { try .init($0) })))
    }

    func uploadAttachment(_ input: Operations.UploadAttachment.Input) async throws -> Operations.UploadAttachment.Output {
        let ctx = try context()
        let user = try ctx.staff(.updateCase)
        guard case .binary(let body) = input.body else { throw AppError.badRequest("Send the file as application/octet-stream.") }
        let limit = ctx.app.asb.config.maxAttachmentBytes
        let content = try await Data(collecting: body, upTo: limit + 1)
        let attachment = try await ctx.attachments.upload(
            to: input.path.reference, fileName: input.query.fileName,
            incidentID: try UUID.parse(input.query.incidentId, field: "incidentId"),
            enforcementID: try UUID.parse(input.query.enforcementId, field: "enforcementId"),
            restricted: input.query.restricted ?? false, content: content, by: .staff(user))
        return .created(.init(body: .json(try .init(attachment))))
    }

    func downloadAttachment(_ input: Operations.DownloadAttachment.Input) async throws -> Operations.DownloadAttachment.Output {
        let ctx = try context()
        let user = try ctx.staff(.readCases)
        guard let id = UUID(uuidString: input.path.attachmentId) else { throw AppError.notFound("There is no such file on this case.") }
        let (attachment, data) = try await ctx.attachments.download(from: input.path.reference, attachment: id, by: .staff(user))
        return .ok(.init(headers: .init(contentDisposition: attachment.contentDisposition),
                         body: .binary(HTTPBody(data))))
    }
}
