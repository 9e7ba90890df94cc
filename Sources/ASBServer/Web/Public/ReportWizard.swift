import ASBCore
import Foundation

/// The public report form as a short sequence of question pages (GOV.UK "one thing per page"),
/// then check your answers. Answers are kept in the public session as submitted form values;
/// each page is checked by the same `ReportValidator` and `RiskAssessment` the API uses, keeping
/// only the errors about that page's questions.
enum ReportStep: String, CaseIterable, Sendable {
    case what, when, place = "where", who, hate, risk, support, aboutYou = "about-you"

    var title: String {
        switch self {
        case .what: "What happened?"
        case .when: "When did it happen?"
        case .place: "Where did it happen?"
        case .who: "Who is responsible, if you know?"
        case .hate: "Is it because of who you are?"
        case .risk: "How is it affecting you?"
        case .support: "Do you need any support?"
        case .aboutYou: "Your contact details"
        }
    }

    var path: String { "/report/\(rawValue)" }

    var next: ReportStep? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return index + 1 < all.count ? all[index + 1] : nil
    }

    var previous: ReportStep? {
        let all = Self.allCases
        let index = all.firstIndex(of: self)!
        return index > 0 ? all[index - 1] : nil
    }

    /// Step n of N, for the caption above the heading.
    var number: Int { Self.allCases.firstIndex(of: self)! + 1 }
}

struct ReportWizard: Sendable {
    var answers: FormData
    var questionnaire: RiskQuestionnaire = .standard

    /// Risk questions that reveal support needs go on the support page; the rest on the risk page.
    var riskQuestions: [RiskQuestion] { questionnaire.questions.filter { !Self.isSupportQuestion($0) } }
    var supportQuestions: [RiskQuestion] { questionnaire.questions.filter(Self.isSupportQuestion) }

    static func isSupportQuestion(_ q: RiskQuestion) -> Bool { q.choices.contains { !$0.supportNeeds.isEmpty } }

    /// The questions of one page, filled with the answers so far.
    func fields(for step: ReportStep) -> [FormField] {
        var fields: [FormField]
        switch step {
        case .what:
            fields = [
                FormField(kind: .radios, name: "immediateDanger", label: "Is anyone in danger right now?",
                      hint: "If someone is seriously injured, in immediate danger, or public safety is at risk, call 999 now.",
                      options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
                FormField(kind: .textarea, name: "description", label: "Tell us what happened",
                      hint: "Say what happened, who was involved and how it affected you.", required: true),
                FormField.choices(.checkboxes, name: "categories", label: "What is it about?", hint: "Select all that apply.",
                              of: IncidentCategory.self, selected: [], label: \.displayName),
            ]
        case .when:
            fields = [
                FormField(kind: .date, name: "occurredOn", label: "Date it happened",
                      hint: "If it has happened more than once, give the most recent date.", width: "medium"),
                FormField(kind: .time, name: "occurredAt", label: "Time it happened (optional)",
                      hint: "Use the 24-hour clock, for example 23:30.", width: "narrow"),
            ]
        case .place:
            fields = [
                FormField(kind: .text, name: "location", label: "Where did it happen?",
                      hint: "For example, the stairwell of 12 to 24 Sample Road, or the car park behind the shops.",
                      isPageHeading: true),
                FormField(kind: .text, name: "postcode", label: "Postcode (optional)", autocomplete: "postal-code", width: "narrow"),
            ]
        case .who:
            fields = [
                FormField(kind: .text, name: "allegedPerpetrator.name", label: "Their name or a description (optional)",
                      hint: "For example, the man who lives at number 14, or a group of teenagers on bikes."),
                FormField(kind: .text, name: "allegedPerpetrator.address", label: "Their address, if you know it (optional)"),
            ]
        case .hate:
            fields = [
                FormField(kind: .radios, name: "hate", label: "Do you think it happened because of who you, or someone with you, are?",
                      hint: "A hate incident is anything the victim or anyone else thinks was motivated by hostility or prejudice. What you think is enough.",
                      options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")], isPageHeading: true),
                FormField.choices(.checkboxes, name: "hateStrands", label: "If yes, because of their…", hint: "Select all that apply.",
                              of: HateStrand.self, selected: [], label: \.displayName),
            ]
        case .risk:
            fields = riskQuestions.map(Self.field(for:))
        case .support:
            fields = supportQuestions.map(Self.field(for:))
        case .aboutYou:
            fields = [
                FormField(kind: .radios, name: "anonymous", label: "Do you want to give your contact details?",
                      hint: "We can only agree an action plan with you and keep you updated if we can contact you.",
                      options: [.init(value: "no", label: "Yes, give my details"),
                                .init(value: "yes", label: "No, report anonymously",
                                      hint: "We will record and look into what you tell us, but we cannot contact you.")]),
                FormField(kind: .text, name: "reporter.name", label: "Full name", autocomplete: "name"),
                FormField(kind: .email, name: "reporter.email", label: "Email address", autocomplete: "email", inputmode: "email"),
                FormField(kind: .tel, name: "reporter.phone", label: "Phone number", hint: "For example, 01632 960 001.",
                      autocomplete: "tel", width: "medium"),
                FormField(kind: .textarea, name: "reporter.address", label: "Address", autocomplete: "street-address"),
                FormField(kind: .text, name: "reporter.postcode", label: "Postcode", autocomplete: "postal-code", width: "narrow"),
                FormField.choices(.radios, name: "reporter.preferredContactMethod", label: "How should we contact you?",
                              of: ContactMethod.self, selected: [], label: \.displayName),
            ]
        }
        var form = FormModel(id: "report-\(step.rawValue)", title: step.title, action: step.path, submitLabel: "Continue",
                             fields: fields)
        form.fill(from: answers)
        return form.fields
    }

    static func field(for question: RiskQuestion) -> FormField {
        FormField(kind: .radios, name: "riskAnswers.\(question.id)", label: question.text, hint: question.help,
              options: question.choices.map { .init(value: $0.value, label: $0.label) })
    }

    /// The names a page owns: its answers replace earlier ones, and its errors are shown on it.
    func names(for step: ReportStep) -> [String] { fields(for: step).map(\.name) }

    /// Stores a page's submitted answers, dropping anything not asked on the page.
    mutating func record(_ form: FormData, for step: ReportStep) {
        for name in names(for: step) { answers.set(name, all: form.values[name] ?? []) }
    }

    var draft: ReportDraft {
        let anonymous = answers["anonymous"] == "yes"
        func person(_ prefix: String) -> ReportDraft.Person? {
            let p = ReportDraft.Person(
                name: answers["\(prefix).name"], email: answers["\(prefix).email"], phone: answers["\(prefix).phone"],
                address: answers["\(prefix).address"], postcode: answers["\(prefix).postcode"],
                preferredContactMethod: answers["\(prefix).preferredContactMethod"].flatMap(ContactMethod.init(rawValue:)))
            return p == ReportDraft.Person() ? nil : p
        }
        return ReportDraft(
            channel: .web, anonymous: anonymous, reporter: anonymous ? nil : person("reporter"),
            description: answers["description"] ?? "", occurredOn: answers["occurredOn"], occurredAt: answers["occurredAt"],
            location: answers["location"], postcode: answers["postcode"],
            categories: answers.all("categories").compactMap(IncidentCategory.init(rawValue:)),
            hate: answers["hate"] == "yes", hateStrands: answers.all("hateStrands").compactMap(HateStrand.init(rawValue:)),
            allegedPerpetrator: person("allegedPerpetrator"), immediateDanger: answers["immediateDanger"] == "yes")
    }

    var riskAnswers: [String: String] {
        var result: [String: String] = [:]
        for question in questionnaire.questions {
            if let value = answers["riskAnswers.\(question.id)"] { result[question.id] = value }
        }
        return result
    }

    /// Every problem with the whole report, as the API would name it, plus the questions only
    /// the form asks (anonymous or not).
    func problems(now: Date) -> [FieldError] {
        var errors: [FieldError] = []
        do { _ = try ReportValidator.validate(draft, by: .init(isStaff: false), now: now, existingCase: false) } catch {
            errors += error.errors
        }
        do { _ = try RiskAssessment.assess(riskAnswers, hate: draft.hate, immediateDanger: draft.immediateDanger, notASB: false) } catch {
            errors += error.errors
        }
        if answers["anonymous"] == nil {
            errors.append(FieldError("anonymous", "Choose whether to give your contact details or report anonymously."))
        }
        if answers["hate"] == "no", !answers.all("hateStrands").isEmpty {
            errors.append(FieldError("hateStrands", "You answered no: clear these, or answer yes."))
        }
        return errors
    }

    /// The page that asks about a field, for errors found on the check page.
    func step(owning field: String) -> ReportStep {
        for step in ReportStep.allCases {
            if names(for: step).contains(where: { field == $0 || field.hasPrefix($0 + ".") || $0.hasPrefix(field + ".") }) {
                return step
            }
        }
        return .what
    }

    /// The problems that belong to one page.
    func problems(on step: ReportStep, now: Date) -> [FieldError] {
        problems(now: now).filter { self.step(owning: $0.field) == step }
    }

    /// A summary row per question, for the check page.
    struct SummaryRow: Encodable, Sendable {
        var question: String
        var answer: String
        var changeHref: String
    }

    var summary: [SummaryRow] {
        var rows: [SummaryRow] = []
        for step in ReportStep.allCases {
            for field in fields(for: step) {
                if answers["anonymous"] == "yes", field.name.hasPrefix("reporter.") { continue }
                let answer: String = switch field.kind {
                case .radios, .checkboxes, .select: field.options.filter(\.selected).map(\.label).joined(separator: ", ")
                case .date: LocalDate(iso: field.value)?.longDescription ?? field.value
                default: field.value
                }
                rows.append(SummaryRow(question: field.label, answer: answer.isEmpty ? "Not given" : answer,
                                       changeHref: step.path + "?change=1#" + FormModel.targetID(of: field)))
            }
        }
        return rows
    }
}
