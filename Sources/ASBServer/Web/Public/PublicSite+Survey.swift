import ASBCore
import Foundation
import Vapor

/// The satisfaction survey from its one-time link (SS-MON-3), and the same questions for staff
/// entering answers given by phone or on paper.
extension PublicSite {
    static func surveyFields() -> [FormField] {
        SatisfactionRules.scoredQuestions.map { question in
            FormField(kind: .radios, name: question.field, label: question.text,
                      options: SatisfactionRules.scale.map { .init(value: String($0.value), label: $0.label) })
        } + [
            FormField(kind: .radios, name: "wouldReportAgain", label: "Would you report anti-social behaviour to us again?",
                      options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
            FormField(kind: .textarea, name: "comments", label: "Anything else you want to tell us? (optional)",
                      hint: "What went well, and what we could do better."),
        ]
    }

    static func answers(from form: FormData) -> SurveyAnswers {
        SurveyAnswers(overall: form["overall"].flatMap(Int.init), keptInformed: form["keptInformed"].flatMap(Int.init),
                      easeOfReporting: form["easeOfReporting"].flatMap(Int.init), listenedTo: form["listenedTo"].flatMap(Int.init),
                      wouldReportAgain: form["wouldReportAgain"].map { $0 == "yes" }, comments: form["comments"])
    }

    struct SurveyPage: PageModel {
        var chrome: PageChrome
        var reference: String
        var form: FormModel
    }

    struct SurveyThanksPage: PageModel {
        var chrome: PageChrome
    }

    private func surveyPage(_ req: Request, token: String, submitted: FormData? = nil, errors: [FieldError] = []) async throws -> Response {
        let survey = try await SurveyService(app: req.application, db: req.db, requestID: req.id).due(token: token)
        var form = FormModel(id: "survey", title: "How did we do?", action: "/survey/\(token)", submitLabel: "Send my answers",
                             fields: Self.surveyFields())
        if let submitted { form.fill(from: submitted) }
        let links = form.apply(errors)
        return try await req.page("public/survey", SurveyPage(
            chrome: WebChrome.make(req, title: "How did we do?", errors: links), reference: survey.asbCase.reference, form: form),
            status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func survey(_ req: Request) async throws -> Response {
        try await surveyPage(req, token: req.parameters.get("token") ?? "")
    }

    @Sendable func answerSurvey(_ req: Request) async throws -> Response {
        let token = req.parameters.get("token") ?? ""
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        do {
            try await SurveyService(app: req.application, db: req.db, requestID: req.id).answer(token: token, Self.answers(from: form))
        } catch let failure as ValidationFailure {
            return try await surveyPage(req, token: token, submitted: form, errors: failure.errors)
        }
        return try await req.page("public/survey-thanks", SurveyThanksPage(chrome: WebChrome.make(req, title: "Thank you for your answers", posts: false)))
    }
}
