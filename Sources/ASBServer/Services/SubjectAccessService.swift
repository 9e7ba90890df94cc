import ASBCore
import Fluent
import Foundation
import Vapor

/// A subject access request (UK GDPR article 15): everything held about one person across all
/// their cases, as JSON and as a readable HTML document. What others said, and anything that
/// names other people or was recorded as restricted, is marked for review before release (the
/// landlord must not disclose third parties' personal data). Every export is audited.
struct SubjectAccessService {
    let app: Application
    let db: any Database
    let requestID: String?

    struct Item: Sendable, Equatable, Codable {
        var kind: String
        var at: String?
        var text: String
        /// Why a person must read it before release; empty when it may go as it is.
        var review: [String]
    }

    struct CaseRecord: Sendable, Equatable, Codable {
        var reference: String
        var role: String
        var receivedAt: String
        var status: String
        var closedAt: String?
        var closureReason: String?
        var categories: [String]
        var hateStrands: [String]
        var items: [Item]
    }

    struct Export: Sendable, Equatable, Codable {
        var generatedAt: String
        var generatedBy: String
        /// The person's own record: every field held.
        var person: [String: String]
        var cases: [CaseRecord]
        /// Complaints and compliments from the same email address or phone number.
        var feedback: [Item]
        var itemsToReview: Int
    }

    static let othersNamed = "names other people"
    static let restricted = "recorded as restricted"
    static let othersWords = "written by or about others"

    func export(partyID: UUID, by actor: Actor) async throws -> Export {
        if let user = actor.user, user.role != .admin { throw AppError.forbidden("Only an admin answers subject access requests.") }
        guard let party = try await Party.find(partyID, on: db) else { throw AppError.notFound("No such person.") }
        let now = app.asb.clock.now()
        let iso = ISO8601DateFormatter()
        func at(_ date: Date?) -> String? { date.map { iso.string(from: $0) } }

        var person: [String: String] = ["id": partyID.text, "createdAt": iso.string(from: party.createdAt),
                                        "updatedAt": iso.string(from: party.updatedAt),
                                        "interpreterNeeded": party.interpreterNeeded ? "yes" : "no"]
        let optional: [(String, String?)] = [
            ("name", party.name), ("email", party.email), ("phone", party.phone), ("address", party.address), ("postcode", party.postcode),
            ("preferredContactMethod", party.preferredContactMethod?.rawValue), ("preferredContactTimes", party.preferredContactTimes),
            ("language", party.language), ("supportNotes", party.supportNotes), ("tenancyReference", party.tenancyReference),
            ("consentToShare", party.consentToShare.map { $0 ? "yes" : "no" }), ("consentRecordedAt", at(party.consentRecordedAt)),
            ("anonymisedAt", at(party.anonymisedAt)),
            ("supportNeeds", party.supportNeeds.isEmpty ? nil : party.supportNeeds.map(\.rawValue).joined(separator: ", ")),
        ]
        for (key, value) in optional { if let value { person[key] = value } }

        var cases: [CaseRecord] = []
        let links = try await CaseParty.query(on: db).filter(\.$party.$id == partyID).with(\.$asbCase).sort(\.$createdAt).all()
        for link in links {
            let asbCase = link.asbCase
            let caseID = try asbCase.requireID()
            let others = Redaction(names: try await CaseParty.query(on: db).filter(\.$asbCase.$id == caseID)
                .filter(\.$party.$id != partyID).with(\.$party).all().compactMap(\.party.name))
            func check(_ text: String, own: Bool, restricted: Bool = false) -> [String] {
                var reasons: [String] = []
                if !own { reasons.append(Self.othersWords) }
                if others.redact(text) != text { reasons.append(Self.othersNamed) }
                if restricted { reasons.append(Self.restricted) }
                return reasons
            }
            var items: [Item] = []
            for incident in try await IncidentReport.query(on: db).filter(\.$asbCase.$id == caseID).sort(\.$receivedAt).all() {
                let own = incident.$reporter.id == partyID
                items.append(Item(kind: own ? "Their report" : "A report by someone else", at: at(incident.receivedAt), text: incident.description,
                                  review: check(incident.description, own: own)))
            }
            for entry in try await ContactLogEntry.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID).sort(\.$at).all() {
                items.append(Item(kind: "Contact with them (\(entry.method.rawValue), \(entry.direction.rawValue))", at: at(entry.at), text: entry.summary,
                                  review: check(entry.summary, own: false, restricted: entry.restricted)))
            }
            let plans = try await ActionPlan.query(on: db).filter(\.$asbCase.$id == caseID).all()
            if !plans.isEmpty, [.reporter, .victim].contains(link.role) {
                for action in try await PlanAction.query(on: db).filter(\.$plan.$id ~~ plans.compactMap(\.id)).sort(\.$position).all() {
                    let theirs = action.$ownerParty.id == partyID
                    items.append(Item(kind: theirs ? "Action plan: their action" : "Action plan: an action of the landlord or a partner",
                                      at: action.dueOn, text: "\(action.what) (\(action.status.rawValue))", review: check(action.what, own: true)))
                }
            }
            for action in try await EnforcementAction.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$against.$id == partyID).all() {
                let text = [action.type.rawValue, action.status.rawValue, action.outcome, action.notes].compactMap { $0 }.joined(separator: "; ")
                items.append(Item(kind: "Enforcement against them", at: action.on, text: text, review: check(text, own: false)))
            }
            for evidence in try await WitnessEvidenceRecord.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$party.$id == partyID).all() {
                items.append(Item(kind: "Their witness commitment", at: evidence.confirmedOn, text: evidence.howConfirmed, review: check(evidence.howConfirmed, own: true)))
            }
            if link.role == .reporter {
                for survey in try await SatisfactionSurvey.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$answeredAt != nil).all() {
                    let text = "Overall \(survey.overall.map(String.init) ?? "-") of 5" + (survey.comments.map { ". Comments: \($0)" } ?? "")
                    items.append(Item(kind: "Their satisfaction survey", at: at(survey.answeredAt), text: text, review: check(text, own: true)))
                }
            }
            for message in try await OutboxMessage.query(on: db).filter(\.$asbCase.$id == caseID).filter(\.$recipientParty.$id == partyID).sort(\.$createdAt).all() {
                items.append(Item(kind: "Message to them (\(message.channel.rawValue), \(message.status.rawValue))", at: at(message.sentAt ?? message.createdAt),
                                  text: "\(message.subject)\n\n\(message.textBody)", review: check(message.textBody, own: true)))
            }
            for file in try await Attachment.query(on: db).filter(\.$asbCase.$id == caseID).sort(\.$uploadedAt).all() {
                items.append(Item(kind: "Evidence file (not included: fetch and review it)", at: at(file.uploadedAt),
                                  text: "\(file.fileName) (\(file.type.rawValue), \(file.size) bytes)",
                                  review: [Self.othersWords] + (file.restricted ? [Self.restricted] : [])))
            }
            cases.append(CaseRecord(reference: asbCase.reference, role: link.role.rawValue, receivedAt: iso.string(from: asbCase.receivedAt),
                                    status: asbCase.status.rawValue, closedAt: at(asbCase.closedAt), closureReason: asbCase.closureReason?.rawValue,
                                    categories: asbCase.categories.map(\.rawValue), hateStrands: asbCase.hateStrands.map(\.rawValue), items: items))
        }
        var feedback: [Item] = []
        let contacts = [party.email, party.phone].compactMap { $0 }
        if !contacts.isEmpty {
            let rows = try await Feedback.query(on: db).group(.or) { or in
                if let email = party.email { or.filter(\.$email == email) }
                if let phone = party.phone { or.filter(\.$phone == phone) }
            }.sort(\.$receivedAt).all()
            for row in rows {
                feedback.append(Item(kind: row.kind.displayName, at: at(row.receivedAt), text: row.text + (row.outcome.map { "\nOutcome: \($0.displayName)" } ?? ""),
                                     review: Redaction.redact(row.text, names: []) != row.text ? [Self.othersNamed] : []))
            }
        }
        let export = Export(generatedAt: iso.string(from: now), generatedBy: actor.user?.username ?? "asb sar (command line)", person: person,
                            cases: cases, feedback: feedback,
                            itemsToReview: cases.flatMap(\.items).filter { !$0.review.isEmpty }.count + feedback.filter { !$0.review.isEmpty }.count)
        try await AuditLog.recordRead(.subjectAccessExport, by: actor, entityType: "party", entityID: partyID.text,
                                      changes: ["cases": String(cases.count), "toReview": String(export.itemsToReview)], at: now, requestID: requestID, env: app.asb, on: db)
        return export
    }

    /// The export as one readable, printable HTML document.
    static func html(_ e: Export, landlord: String) -> String {
        func h(_ s: String) -> String { Markup.escape(s) }
        func item(_ i: Item) -> String {
            let flag = i.review.isEmpty ? "" : "<p class=\"review\"><strong>Review before release:</strong> \(h(i.review.joined(separator: "; ")))</p>"
            return "<li><p><strong>\(h(i.kind))</strong>\(i.at.map { " — \(h($0))" } ?? "")</p><p class=\"text\">\(h(i.text))</p>\(flag)</li>"
        }
        var body = "<h1>Personal data held about \(h(e.person["name"] ?? "this person"))</h1>"
        body += "<p>Prepared by \(h(landlord)) on \(h(e.generatedAt)) (\(h(e.generatedBy))). \(e.itemsToReview) item\(e.itemsToReview == 1 ? "" : "s") must be reviewed before release.</p>"
        body += "<h2>Their details</h2><dl>" + e.person.sorted { $0.key < $1.key }.map { "<dt>\(h($0.key))</dt><dd>\(h($0.value))</dd>" }.joined() + "</dl>"
        for c in e.cases {
            body += "<h2>Case \(h(c.reference)): \(h(c.role))</h2><p>Received \(h(c.receivedAt)); \(h(c.status))"
            body += c.closedAt.map { ", closed \(h($0)) (\(h(c.closureReason ?? "")))" } ?? ""
            body += ". About: \(h(c.categories.joined(separator: ", ")))\(c.hateStrands.isEmpty ? "" : "; hate: \(h(c.hateStrands.joined(separator: ", ")))").</p>"
            body += c.items.isEmpty ? "<p>Nothing else recorded.</p>" : "<ol>" + c.items.map(item).joined() + "</ol>"
        }
        if !e.feedback.isEmpty { body += "<h2>Complaints and compliments</h2><ol>" + e.feedback.map(item).joined() + "</ol>" }
        return """
            <!doctype html>
            <html lang="en-GB"><head><meta charset="utf-8"><title>Subject access: \(h(e.person["name"] ?? e.person["id"] ?? ""))</title>
            <style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:1rem auto;line-height:1.4}.text{white-space:pre-wrap}.review{background:#fff7bf;padding:.25rem .5rem}dt{font-weight:700}</style>
            </head><body>\(body)</body></html>
            """
    }
}
