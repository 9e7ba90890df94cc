import ASBCore
import Crypto
import Fluent
import SQLKit
import Foundation
import Vapor

/// Evidence files and documents on a case (SS-PRG-1, SS-PRG-5). The type is read from the
/// content, never from the name; restricted files never reach a partner or the reporter.
struct AttachmentService {
    let app: Application
    let db: any Database
    let requestID: String?

    var env: ASBEnvironment { app.asb }

    func list(of reference: String, by actor: Actor) async throws -> [Attachment] {
        try await list(of: CaseService(app: app, db: db, requestID: requestID).readable(reference, by: actor))
    }

    func list(of readable: ReadableCase) async throws -> [Attachment] {
        let user = readable.user
        let caseID = try readable.asbCase.requireID()
        var unrestricted: SQLQueryString = ""
        if user.role == .partner {
            try await requireShared(caseID: caseID, user: user)
            unrestricted = " AND restricted = \(bind: false)"
        }
        let attachments = try await Attachment.stored(
            "WHERE case_id = \(bind: caseID)\(unrestricted) ORDER BY uploaded_at DESC, id DESC LIMIT 500", on: db)
        try await attachments.loadParents(\.$uploadedBy, on: db)
        return attachments
    }

    func upload(to reference: String, fileName rawName: String, incidentID: UUID?, enforcementID: UUID?, restricted: Bool,
                content: Data, by actor: Actor) async throws -> Attachment {
        let (asbCase, _) = try await CaseService(app: app, db: db, requestID: requestID).findForCasework(reference, by: actor)
        return try await store(on: asbCase, fileName: rawName, incidentID: incidentID, enforcementID: enforcementID,
                               restricted: restricted, content: content, by: actor)
    }

    /// Checks and stores a file on a case the caller may already change (staff casework, or an
    /// email's attachments arriving with a report).
    func store(on asbCase: ASBCase, fileName rawName: String, incidentID: UUID?, enforcementID: UUID?, restricted: Bool,
               content: Data, by actor: Actor) async throws -> Attachment {
        let caseID = try asbCase.requireID()
        var errors: [FieldError] = []
        let name = rawName.trimmingWhitespace()
        if name.isEmpty || name.count > 255 || name.contains("/") || name.contains("\\") {
            errors.append(FieldError("fileName", "Give the file's name (up to 255 characters, no folders)."))
        }
        var type: EvidenceType?
        switch EvidenceSniffer.check(size: content.count, bytes: Array(content.prefix(4096)), limit: env.config.maxAttachmentBytes) {
        case .success(let found): type = found
        case .failure(let error): errors.append(error)
        }
        if let incidentID, try await IncidentReport.query(on: db).filter(\.$id == incidentID).filter(\.$asbCase.$id == caseID).count() == 0 {
            errors.append(FieldError("incidentId", "There is no such incident on this case."))
        }
        if let enforcementID,
           try await EnforcementAction.query(on: db).filter(\.$id == enforcementID).filter(\.$asbCase.$id == caseID).count() == 0 {
            errors.append(FieldError("enforcementId", "There is no such enforcement step on this case."))
        }
        guard errors.isEmpty, let type else { throw ValidationFailure(errors) }
        let now = env.clock.now()
        let attachment = Attachment()
        attachment.id = OrderedID.next(at: now)
        attachment.$asbCase.id = caseID
        attachment.$incident.id = incidentID
        attachment.$enforcement.id = enforcementID
        attachment.fileName = name
        attachment.type = type
        attachment.size = content.count
        attachment.sha256 = TokenHash.of(data: content)
        attachment.restricted = restricted
        attachment.$uploadedBy.id = actor.userID
        attachment.uploadedAt = now
        try await env.writes.run(on: db) { db in
            try await attachment.create(on: db)
            let stored = AttachmentContent()
            stored.id = attachment.id
            stored.content = content
            try await stored.create(on: db)
            try await CaseEvent(caseID: caseID, at: now, kind: .attachmentAdded,
                                summary: "\(type.displayName) added (\(content.count / 1024 + 1) KB)" + (restricted ? ", restricted" : ""),
                                actorID: actor.userID).create(on: db)
            try await AuditLog.record(.attachmentUpload, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["attachmentId": attachment.id!.text, "type": type.rawValue,
                                                "sha256": attachment.sha256],
                                      at: now, requestID: requestID, on: db)
        }
        return attachment
    }

    /// The file and its bytes. Every download is audited.
    func download(from reference: String, attachment id: UUID, by actor: Actor) async throws -> (Attachment, Data) {
        guard let user = actor.user else { throw AppError.unauthenticated() }
        let asbCase = try await CaseService(app: app, db: db, requestID: requestID).findReadable(reference, by: actor, partnerView: true)
        let caseID = try asbCase.requireID()
        let notFound = AppError.notFound("There is no such file on this case.")
        guard let attachment = try await Attachment.query(on: db).filter(\.$id == id).filter(\.$asbCase.$id == caseID).first(),
              let stored = try await AttachmentContent.find(id, on: db)
        else { throw notFound }
        if user.role == .partner {
            try await requireShared(caseID: caseID, user: user)
            guard !attachment.restricted else { throw notFound }
        }
        try await AuditLog.recordRead(.attachmentRead, by: actor, entityType: "case", entityID: asbCase.reference, caseID: caseID,
                                      changes: ["attachmentId": id.text], at: env.clock.now(), requestID: requestID, env: env, on: db)
        return (attachment, stored.content)
    }

    private func requireShared(caseID: UUID, user: User) async throws {
        let referrals = try await ReferralService.liveReferrals(of: caseID, for: user, on: db)
        guard ReferralRules.visibleFields(for: referrals.map { Set($0.sharedFields) }).contains(.documents) else {
            throw AppError.forbidden("Documents are not shared with your agency.")
        }
    }
}

extension Attachment {
    /// `attachment; filename="…"` with only safe ASCII in the name: the file is always saved,
    /// never shown inline, whatever its name or type claims.
    var contentDisposition: String {
        let safeName = String(fileName.map { $0.isASCII && ($0.isLetter || $0.isNumber || ".-_ ".contains($0)) ? $0 : "_" })
        return "attachment; filename=\"\(safeName)\""
    }
}
