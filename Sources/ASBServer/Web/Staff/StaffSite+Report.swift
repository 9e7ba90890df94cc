import ASBCore
import Foundation
import Vapor

extension StaffSite {
    struct NewReportPage: PageModel {
        var chrome: PageChrome
        var form: FormModel
    }

    /// One page for staff recording a report from any channel (SS-REP-1), with the risk questions
    /// asked on the phone or at the door, and the guidance given about other agencies (SS-REP-3).
    static func reportForm(submissionKey: String) -> FormModel {
        FormModel(id: "record-report", title: "Record a report", action: "/staff/reports/new", submitLabel: "Record report", fields: [
            FormField(kind: .select, name: "channel", label: "How it was reported",
                  options: options(staffChannels.map { ($0.rawValue, $0.displayName) }, selected: "phone")),
            FormField(kind: .datetime, name: "receivedAt", label: "When it was received (optional)",
                  hint: "Leave empty for now. For a letter, the date stamp or the date it arrived."),
            FormField(kind: .radios, name: "immediateDanger", label: "Is anyone in immediate danger?",
                  hint: "If yes, make sure 999 has been called.",
                  options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
            FormField(kind: .textarea, name: "description", label: "What happened"),
            FormField.choices(.checkboxes, name: "categories", label: "What it is about", of: IncidentCategory.self, selected: [], label: \.displayName),
            FormField(kind: .date, name: "occurredOn", label: "Date it happened", width: "medium"),
            FormField(kind: .time, name: "occurredAt", label: "Time it happened (optional)", width: "narrow"),
            FormField(kind: .text, name: "location", label: "Where it happened"),
            FormField(kind: .text, name: "postcode", label: "Postcode (optional)", width: "narrow"),
            FormField(kind: .radios, name: "hate", label: "Hate crime or incident?",
                  hint: "If the reporter or anyone else thinks it was motivated by hostility or prejudice, it is (SS-DEF-2).",
                  options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
            FormField.choices(.checkboxes, name: "hateStrands", label: "Hate strands", of: HateStrand.self, selected: [], label: \.displayName),
            FormField(kind: .radios, name: "anonymous", label: "Does the reporter give their details?",
                  options: [.init(value: "no", label: "Yes"), .init(value: "yes", label: "No, anonymous")]),
            FormField(kind: .text, name: "reporter.name", label: "Reporter's name"),
            FormField(kind: .tel, name: "reporter.phone", label: "Reporter's phone", width: "medium"),
            FormField(kind: .email, name: "reporter.email", label: "Reporter's email"),
            FormField(kind: .textarea, name: "reporter.address", label: "Reporter's address"),
            FormField(kind: .text, name: "reporter.postcode", label: "Reporter's postcode", width: "narrow"),
            FormField.choices(.radios, name: "reporter.preferredContactMethod", label: "How they prefer to be contacted",
                          of: ContactMethod.self, selected: [], label: \.displayName),
            FormField(kind: .text, name: "allegedPerpetrator.name", label: "Who is responsible (optional)"),
            FormField.choices(.checkboxes, name: "guidanceGiven", label: "Guidance given about other agencies (SS-REP-3)",
                          of: AgencyGuidance.self, selected: [], label: \.displayName),
        ] + RiskQuestionnaire.standard.questions.map(ReportWizard.field(for:)),
        // A resent form (a double click, a refresh) records one case, not two.
        hidden: [.init(name: "submissionKey", value: submissionKey)])
    }

    @Sendable func newReportForm(_ req: Request) async throws -> Response {
        _ = try req.requireStaffPage(.recordReport)
        return try await req.page("staff/form-page", NewReportPage(chrome: WebChrome.make(req, title: "Record a report"),
                                                                   form: Self.reportForm(submissionKey: req.application.asb.random.token())))
    }

    @Sendable func recordReport(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.recordReport)
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        var errors: [FieldError] = []
        let receivedAt = form.londonDateTime("receivedAt", errors: &errors)
        // The same mapping as the public form, then the staff-only parts.
        var wizard = ReportWizard(answers: form)
        wizard.answers.set("anonymous", form["anonymous"] ?? "no")
        var draft = wizard.draft
        draft.channel = form["channel"].flatMap(ReportChannel.init(rawValue:)) ?? .phone
        draft.receivedAt = receivedAt
        draft.guidanceGiven = form.all("guidanceGiven").compactMap(AgencyGuidance.init(rawValue:))
        do {
            guard errors.isEmpty else { throw ValidationFailure(errors) }
            let receipt = try await IntakeService(app: req.application, db: req.db, requestID: req.id).submit(
                draft, riskAnswers: wizard.riskAnswers, caseReference: nil, by: .staff(user),
                idempotency: try .make(key: form["submissionKey"], canonicalBody: try JSONEncoder.sorted.encode(form.values.filter { $0.key != "_csrf" }),
                                       actor: .staff(user)))
            var notice = "Report recorded as \(receipt.reference)."
            if let code = receipt.accessCode { notice += " Give the reporter their access code: \(code)" }
            return req.seeOther("/staff/cases/\(receipt.reference)", notice: notice)
        } catch let failure as ValidationFailure {
            var model = Self.reportForm(submissionKey: form["submissionKey"] ?? req.application.asb.random.token())
            model.fill(from: form)
            let links = model.apply(failure.errors)
            return try await req.page("staff/form-page", NewReportPage(chrome: WebChrome.make(req, title: "Record a report", errors: links),
                                                                       form: model), status: .unprocessableEntity)
        }
    }
}
