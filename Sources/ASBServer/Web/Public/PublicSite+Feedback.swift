import ASBCore
import Foundation
import Vapor

/// Complaints and compliments from the public site (SS-MON-5).
extension PublicSite {
    static func feedbackFields() -> [FormField] {
        [
            FormField.choices(.radios, name: "kind", label: "Is this a complaint or a compliment?", of: FeedbackKind.self,
                              selected: [], label: \.displayName),
            FormField(kind: .textarea, name: "text", label: "Tell us what happened",
                      hint: "For a compliment, tell us who helped you and how."),
            FormField(kind: .text, name: "caseReference", label: "Case reference (optional)", hint: "For example, ASB-2026-00042.",
                      width: "medium"),
            FormField(kind: .text, name: "officerName", label: "The officer's name, if it is about one (optional)"),
            FormField(kind: .text, name: "name", label: "Your name", hint: "Needed for a complaint, so we can reply.", autocomplete: "name"),
            FormField(kind: .email, name: "email", label: "Email address", autocomplete: "email", inputmode: "email"),
            FormField(kind: .tel, name: "phone", label: "Phone number", autocomplete: "tel", width: "medium"),
        ]
    }

    static func feedbackDraft(_ form: FormData) -> FeedbackDraft {
        FeedbackDraft(kind: form["kind"].flatMap(FeedbackKind.init(rawValue:)), text: form.values["text"]?.first ?? "",
                      name: form["name"], email: form["email"], phone: form["phone"], caseReference: form["caseReference"],
                      officerName: form["officerName"])
    }

    struct FeedbackPage: PageModel {
        var chrome: PageChrome
        var form: FormModel
    }

    struct FeedbackThanksPage: PageModel {
        var chrome: PageChrome
        var reference: String
        var isComplaint: Bool
    }

    private func feedbackPage(_ req: Request, submitted: FormData? = nil, errors: [FieldError] = []) async throws -> Response {
        var form = FormModel(id: "feedback", title: "Complaints and compliments", action: "/feedback", submitLabel: "Send",
                             fields: Self.feedbackFields())
        if let submitted { form.fill(from: submitted) }
        let links = form.apply(errors)
        return try await req.page("public/feedback", FeedbackPage(chrome: WebChrome.make(req, title: "Complaints and compliments", errors: links),
                                                                  form: form), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func feedbackForm(_ req: Request) async throws -> Response { try await feedbackPage(req) }

    @Sendable func sendFeedback(_ req: Request) async throws -> Response {
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        do {
            let feedback = try await FeedbackService(app: req.application, db: req.db, requestID: req.id)
                .record(Self.feedbackDraft(form), channel: .web, by: .publicReporter)
            return try await req.page("public/feedback-thanks", FeedbackThanksPage(
                chrome: WebChrome.make(req, title: "Thank you", posts: false), reference: feedback.shortReference, isComplaint: feedback.kind == .complaint))
        } catch let failure as ValidationFailure {
            return try await feedbackPage(req, submitted: form, errors: failure.errors)
        }
    }
}
