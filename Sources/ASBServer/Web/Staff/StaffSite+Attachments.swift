import ASBCore
import Foundation
import Vapor

/// Evidence and documents on the case page (SS-PRG-1): upload as a multipart form, download as
/// an attachment. The same `AttachmentService` as the API checks type, size and access.
extension StaffSite {
    struct UploadForm: Content {
        var _csrf: String?
        var file: File?
        var restricted: String?
    }

    static func uploadForm(reference: String) -> FormModel {
        var form = FormModel(id: "form-attachment", title: "Add evidence or a document", action: "/staff/cases/\(reference)/attachments",
                             submitLabel: "Upload", fields: [
            FormField(kind: .file, name: "file", label: "File", hint: "A photo, audio or video recording, a PDF or a text file."),
            FormField(kind: .checkboxes, name: "restricted", label: "Restricted",
                      options: [.init(value: "yes", label: "Restricted: never shared with partners")]),
        ])
        form.multipart = true
        return form
    }

    @Sendable func uploadAttachment(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        let reference = req.parameters.get("reference") ?? ""
        guard req.headers.contentType?.type == "multipart" else {
            throw Abort(.unsupportedMediaType, reason: "Submit the form from the page.")
        }
        let upload = try req.content.decode(UploadForm.self)
        var csrf = FormData()
        csrf.set(CSRF.fieldName, upload._csrf)
        try CSRF.verify(csrf, for: req)
        do {
            guard let file = upload.file, file.data.readableBytes > 0 else {
                throw ValidationFailure([FieldError("file", "Choose a file to upload.")])
            }
            let stored = try await AttachmentService(app: req.application, db: req.db, requestID: req.id).upload(
                to: reference, fileName: file.filename, incidentID: nil, enforcementID: nil, restricted: upload.restricted == "yes",
                content: Data(buffer: file.data), by: .staff(user))
            return req.seeOther("/staff/cases/\(reference)#evidence", notice: "\(stored.fileName) is added to the case.")
        } catch let failure as ValidationFailure {
            let data = try await Self.load(reference, user: user, req: req)
            var forms = Self.forms(for: data)
            var model = forms[.attachment] ?? Self.uploadForm(reference: reference)
            let links = model.apply(failure.errors)
            forms[.attachment] = model
            return try await Self.render(data, req: req, forms: forms, errors: links, status: .unprocessableEntity)
        }
    }

    @Sendable func downloadAttachment(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.readCases)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else {
            throw AppError.notFound("There is no such file on this case.")
        }
        let (attachment, data) = try await AttachmentService(app: req.application, db: req.db, requestID: req.id)
            .download(from: req.parameters.get("reference") ?? "", attachment: id, by: .staff(user))
        var headers = HTTPHeaders()
        headers.contentType = .binary
        headers.replaceOrAdd(name: .contentDisposition, value: attachment.contentDisposition)
        headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return Response(status: .ok, headers: headers, body: .init(data: data))
    }
}
