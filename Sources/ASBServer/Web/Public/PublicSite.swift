import ASBCore
import Fluent
import Foundation
import Vapor

/// The public site: no account. Start page, the report form, confirmation, tracking, the ASB
/// Case Review page and community notices. Pages call the same services as the API.
struct PublicSite: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(use: start)
        routes.get("report", use: startReport)
        routes.get("report", "check", use: checkAnswers)
        routes.post("report", "check", use: sendReport)
        routes.get("report", "done", use: confirmation)
        routes.get("report", ":step", use: question)
        routes.post("report", ":step", use: answer)
        routes.get("track", use: trackForm)
        routes.post("track", use: track)
        routes.get("track", "case", use: trackedCase)
        routes.post("track", "incident", use: trackAddIncident)
        routes.post("track", "sign-out", use: trackSignOut)
        routes.get("case-review", use: caseReview)
        routes.get("notices", use: notices)
        routes.get("performance", use: performance)
        routes.get("performance", "report", use: quarterlyReport)
        routes.get("performance.json", use: performanceJSON)
        routes.get("performance.csv", use: performanceCSV)
        routes.get("feedback", use: feedbackForm)
        routes.post("feedback", use: sendFeedback)
        routes.get("survey", ":token", use: survey)
        routes.post("survey", ":token", use: answerSurvey)
    }

    // MARK: Start

    struct StartPage: PageModel {
        struct PriorityRow: Encodable, Sendable {
            var priority: String
            var meaning: String
            var promise: String
        }
        var chrome: PageChrome
        var priorities: [PriorityRow]
        var hateStrands: [String]
    }

    static func priorityRows() -> [StartPage.PriorityRow] {
        Priority.allCases.map { priority in
            let meaning = switch priority {
            case .p1: "High risk of harm, and every hate crime or hate incident"
            case .p2: "Medium risk of harm"
            case .p3: "No risk of harm"
            }
            let promise = ServiceClock.schedule(for: priority)
                .map { "\($0.milestone.displayName) within \($0.rule)" }.joined(separator: "; ")
            return .init(priority: priority.displayName, meaning: meaning, promise: promise)
        }
    }

    @Sendable func start(_ req: Request) async throws -> Response {
        try await req.page("public/start", StartPage(
            chrome: WebChrome.make(req, title: "Report anti-social behaviour or a hate incident", posts: false),
            priorities: Self.priorityRows(), hateStrands: HateStrand.allCases.map(\.displayName)))
    }

    // MARK: Report form

    private static let answersKey = "report.answers"
    private static let submissionKey = "report.key"
    private static let receiptKey = "report.receipt"

    static func wizard(_ req: Request) -> ReportWizard {
        guard let json = req.session.data[answersKey], let values = try? JSONDecoder().decode([String: [String]].self, from: Data(json.utf8))
        else { return ReportWizard(answers: FormData()) }
        return ReportWizard(answers: FormData(values))
    }

    static func save(_ wizard: ReportWizard, _ req: Request) throws {
        req.session.data[answersKey] = String(decoding: try JSONEncoder().encode(wizard.answers.values), as: UTF8.self)
        if req.session.data[submissionKey] == nil { req.session.data[submissionKey] = req.application.asb.random.token() }
    }

    @Sendable func startReport(_ req: Request) async throws -> Response {
        req.redirect(to: ReportStep.allCases[0].path)
    }

    struct QuestionPage: PageModel {
        var chrome: PageChrome
        var caption: String
        var backHref: String
        var form: FormModel
        var showEmergency: Bool
        var heading: String
        /// False when the first question's label is the page heading.
        var needsHeading: Bool
    }

    private func step(_ req: Request) throws -> ReportStep {
        guard let step = req.parameters.get("step").flatMap(ReportStep.init(rawValue:)) else {
            throw AppError.notFound("There is no such question page.")
        }
        return step
    }

    func questionPage(_ req: Request, step: ReportStep, wizard: ReportWizard, errors: [FieldError] = []) async throws -> Response {
        let changing = req.query[String.self, at: "change"] == "1"
        var form = FormModel(id: "report-\(step.rawValue)", title: step.title,
                             action: step.path + (changing ? "?change=1" : ""), submitLabel: "Continue",
                             fields: wizard.fields(for: step))
        if form.fields.count == 1 || form.fields.first?.isPageHeading == true { form.fields[0].isPageHeading = true }
        let links = form.apply(errors)
        return try await req.page("public/question", QuestionPage(
            chrome: WebChrome.make(req, title: step.title, errors: links),
            caption: "Question \(step.number) of \(ReportStep.allCases.count)",
            backHref: changing ? "/report/check" : (step.previous?.path ?? "/"), form: form, showEmergency: step == .what,
            heading: step.title, needsHeading: !form.fields[0].isPageHeading), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func question(_ req: Request) async throws -> Response {
        try await questionPage(req, step: try step(req), wizard: Self.wizard(req))
    }

    @Sendable func answer(_ req: Request) async throws -> Response {
        let step = try step(req)
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        var wizard = Self.wizard(req)
        wizard.record(form, for: step)
        try Self.save(wizard, req)
        let errors = wizard.problems(on: step, now: req.application.asb.clock.now())
        guard errors.isEmpty else { return try await questionPage(req, step: step, wizard: wizard, errors: errors) }
        if req.query[String.self, at: "change"] == "1" { return req.seeOther("/report/check") }
        return req.seeOther(step.next?.path ?? "/report/check")
    }

    struct CheckPage: PageModel {
        var chrome: PageChrome
        var rows: [ReportWizard.SummaryRow]
        var anonymous: Bool
    }

    func checkPage(_ req: Request, wizard: ReportWizard, errors: [FieldError] = []) async throws -> Response {
        let links = errors.map { error in
            let step = wizard.step(owning: error.field)
            let field = wizard.fields(for: step).first { $0.name == error.field || error.field.hasPrefix($0.name + ".") }
            return ErrorLink(href: step.path + "?change=1" + (field.map { "#" + FormModel.targetID(of: $0) } ?? ""), message: error.message)
        }
        return try await req.page("public/check", CheckPage(
            chrome: WebChrome.make(req, title: "Check your answers before sending your report", errors: links),
            rows: wizard.summary, anonymous: wizard.answers["anonymous"] == "yes"),
            status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func checkAnswers(_ req: Request) async throws -> Response {
        let wizard = Self.wizard(req)
        if wizard.answers.values.isEmpty { return req.redirect(to: ReportStep.allCases[0].path) }
        return try await checkPage(req, wizard: wizard)
    }

    @Sendable func sendReport(_ req: Request) async throws -> Response {
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        let wizard = Self.wizard(req)
        if wizard.answers.values.isEmpty { return req.seeOther(ReportStep.allCases[0].path) }
        let errors = wizard.problems(now: req.application.asb.clock.now())
        guard errors.isEmpty else { return try await checkPage(req, wizard: wizard, errors: errors) }
        // The session's submission key makes a double click or a resend one case, not two.
        let key = req.session.data[Self.submissionKey] ?? req.application.asb.random.token()
        let canonical = try JSONEncoder.sorted.encode(wizard.answers.values)
        let receipt: IntakeService.Receipt
        do {
            receipt = try await IntakeService(app: req.application, db: req.db, requestID: req.id).submit(
                wizard.draft, riskAnswers: wizard.riskAnswers, caseReference: nil, by: .publicReporter,
                idempotency: try .make(key: key, canonicalBody: canonical, actor: .publicReporter))
        } catch let failure as ValidationFailure {
            return try await checkPage(req, wizard: wizard, errors: failure.errors)
        }
        req.session.data[Self.answersKey] = nil
        req.session.data[Self.submissionKey] = nil
        req.session.data[Self.receiptKey] = String(decoding: try JSONEncoder.sorted.encode(receipt), as: UTF8.self)
        return req.seeOther("/report/done")
    }

    struct ConfirmationPage: PageModel {
        struct Due: Encodable, Sendable {
            var milestone: String
            var due: String
            var rule: String
        }
        var chrome: PageChrome
        var reference: String
        var accessCode: String?
        var priority: String?
        var emergencyAdvice: String?
        /// Nil when there are none (Leaf treats an empty list as true).
        var deadlines: [Due]?
    }

    /// Shows the reference and access code once: the receipt leaves the session as it is shown.
    @Sendable func confirmation(_ req: Request) async throws -> Response {
        guard let json = req.session.data[Self.receiptKey],
              let receipt = try? JSONDecoder.iso.decode(IntakeService.Receipt.self, from: Data(json.utf8)) else {
            return req.redirect(to: "/track")
        }
        req.session.data[Self.receiptKey] = nil
        var deadlines: [ConfirmationPage.Due] = []
        if let asbCase = try await ASBCase.query(on: req.db).filter(\.$reference == receipt.reference).first() {
            deadlines = try await CaseClock(db: req.db, requestID: req.id).deadlines(of: asbCase.requireID()).map {
                .init(milestone: $0.milestone.displayName, due: CaseClock.describeDue($0.dueAt), rule: $0.explanation)
            }
        }
        return try await req.page("public/confirmation", ConfirmationPage(
            chrome: WebChrome.make(req, title: "Report sent", posts: false), reference: receipt.reference, accessCode: receipt.accessCode,
            priority: receipt.priority?.displayName, emergencyAdvice: receipt.emergencyAdvice, deadlines: deadlines.nilIfEmpty))
    }

    // MARK: Tracking

    private static let trackedKey = "track.reference"
    private static let trackedCodeKey = "track.code"

    struct TrackFormPage: PageModel {
        var chrome: PageChrome
        var form: FormModel
    }

    static func trackForm(reference: String = "") -> FormModel {
        FormModel(id: "track", title: "Track my case", action: "/track", submitLabel: "Show my case", fields: [
            FormField(kind: .text, name: "reference", label: "Case reference", hint: "For example, ASB-2026-00042.",
                  value: reference, width: "medium"),
            FormField(kind: .password, name: "accessCode", label: "Access code",
                  hint: "The private code you were given with your reference.", autocomplete: "off", width: "medium"),
        ])
    }

    @Sendable func trackForm(_ req: Request) async throws -> Response {
        try await req.page("public/track", TrackFormPage(chrome: WebChrome.make(req, title: "Track my case"), form: Self.trackForm()))
    }

    @Sendable func track(_ req: Request) async throws -> Response {
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        let reference = form["reference"] ?? "", code = form["accessCode"] ?? ""
        do {
            _ = try await TrackingService(app: req.application, db: req.db, requestID: req.id)
                .track(reference: reference, accessCode: code, clientAddress: req.clientAddress)
        } catch let failure as ValidationFailure {
            return try await reshowTrackForm(req, reference: reference, errors: failure.errors, status: .unprocessableEntity)
        } catch AppError.notFound(let message) {
            return try await reshowTrackForm(req, reference: reference, errors: [FieldError("reference", message)], status: .notFound)
        }
        req.session.data[Self.trackedKey] = reference
        req.session.data[Self.trackedCodeKey] = code
        return req.seeOther("/track/case")
    }

    private func reshowTrackForm(_ req: Request, reference: String, errors: [FieldError], status: HTTPStatus) async throws -> Response {
        var model = Self.trackForm(reference: reference)
        let links = model.apply(errors)
        return try await req.page("public/track", TrackFormPage(chrome: WebChrome.make(req, title: "Track my case", errors: links), form: model),
                                  status: status)
    }

    struct TrackedCasePage: PageModel {
        struct Action: Encodable, Sendable {
            var what: String
            var dueOn: String?
            var status: String
        }
        var chrome: PageChrome
        var reference: String
        var status: String
        var statusDescription: String
        var priority: String?
        var receivedAt: String
        var officer: String?
        var nextContactOn: String?
        var actions: [Action]?
        var closureProposal: String?
        var caseReviewMessage: String?
        var incidentForm: FormModel
    }

    static func incidentForm(_ form: FormData = FormData()) -> FormModel {
        var model = FormModel(id: "new-incident", title: "Tell us about something new", action: "/track/incident",
                              submitLabel: "Add to my case", fields: [
            FormField(kind: .textarea, name: "description", label: "What happened?"),
            FormField(kind: .date, name: "occurredOn", label: "Date it happened", width: "medium"),
            FormField(kind: .time, name: "occurredAt", label: "Time it happened (optional)", width: "narrow"),
            FormField(kind: .text, name: "location", label: "Where did it happen? (optional)"),
            FormField(kind: .radios, name: "hate", label: "Do you think it happened because of who you, or someone with you, are?",
                  options: [.init(value: "yes", label: "Yes"), .init(value: "no", label: "No")]),
            FormField.choices(.checkboxes, name: "hateStrands", label: "If yes, because of their…", of: HateStrand.self,
                          selected: [], label: \.displayName),
        ])
        model.fill(from: form)
        return model
    }

    func trackedCasePage(_ req: Request, incidentForm: FormModel, errors: [ErrorLink] = []) async throws -> Response {
        guard let reference = req.session.data[Self.trackedKey], let code = req.session.data[Self.trackedCodeKey] else {
            return req.redirect(to: "/track")
        }
        let view = try await TrackingService(app: req.application, db: req.db, requestID: req.id)
            .track(reference: reference, accessCode: code, clientAddress: req.clientAddress)
        let c = view.asbCase
        let proposal = try await ClosureProposal.query(on: req.db).filter(\.$asbCase.$id == c.requireID())
            .filter(\.$status == .pending).sort(\.$proposedAt, .descending).first()
        return try await req.page("public/tracked-case", TrackedCasePage(
            chrome: WebChrome.make(req, title: "Your case \(c.reference)", errors: errors),
            reference: c.reference, status: c.status.displayName, statusDescription: c.status.reporterDescription,
            priority: c.priority?.displayName, receivedAt: CaseClock.describe(c.receivedAt), officer: view.officerName,
            nextContactOn: view.nextContactOn.flatMap(LocalDate.init(iso:)).map(\.longDescription),
            actions: view.reporterActions.nilIfEmpty?.map { .init(what: $0.what, dueOn: $0.dueOn.flatMap(LocalDate.init(iso:))?.longDescription,
                                                      status: $0.status.displayName) },
            closureProposal: proposal.map {
                "We propose to close your case: \($0.reason.displayName.lowercased()). We will call or visit you to talk it through before it is closed."
            },
            caseReviewMessage: c.caseReviewStatus == nil ? nil
                : (view.caseReviewCanApply ? CaseReviewService.howToApply : CaseReviewThreshold.anonymousCannotApply),
            incidentForm: incidentForm), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    @Sendable func trackedCase(_ req: Request) async throws -> Response {
        try await trackedCasePage(req, incidentForm: Self.incidentForm())
    }

    @Sendable func trackAddIncident(_ req: Request) async throws -> Response {
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        guard let reference = req.session.data[Self.trackedKey], let code = req.session.data[Self.trackedCodeKey] else {
            return req.seeOther("/track")
        }
        var errors: [FieldError] = []
        if form["hate"] == "no", !form.all("hateStrands").isEmpty {
            errors.append(FieldError("hateStrands", "You answered no: clear these, or answer yes."))
        }
        let draft = ReportDraft(channel: .web, description: form["description"] ?? "", occurredOn: form["occurredOn"],
                                occurredAt: form["occurredAt"], location: form["location"], hate: form["hate"] == "yes",
                                hateStrands: form.all("hateStrands").compactMap(HateStrand.init(rawValue:)))
        do {
            guard errors.isEmpty else { throw ValidationFailure(errors) }
            let receipt = try await TrackingService(app: req.application, db: req.db, requestID: req.id)
                .addIncident(reference: reference, accessCode: code, clientAddress: req.clientAddress, draft: draft)
            if receipt.reference != reference {
                // The case had closed: the new report opened a new linked case with its own code.
                req.session.data[Self.receiptKey] = String(decoding: try JSONEncoder.sorted.encode(receipt), as: UTF8.self)
                return req.seeOther("/report/done")
            }
            return req.seeOther("/track/case", notice: "Thank you. We have added what you told us to your case.")
        } catch let failure as ValidationFailure {
            var model = Self.incidentForm(form)
            let links = model.apply(failure.errors)
            return try await trackedCasePage(req, incidentForm: model, errors: links)
        }
    }

    @Sendable func trackSignOut(_ req: Request) async throws -> Response {
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        req.session.data[Self.trackedKey] = nil
        req.session.data[Self.trackedCodeKey] = nil
        return req.seeOther("/track", notice: "You have left your case. Enter your reference and code to see it again.")
    }

    // MARK: Information pages

    struct CaseReviewPage: PageModel {
        var chrome: PageChrome
        var reports: Int
        var months: Int
        var hateReports: Int
        var howToApply: String
    }

    @Sendable func caseReview(_ req: Request) async throws -> Response {
        let threshold = req.application.asb.config.caseReview
        return try await req.page("public/case-review", CaseReviewPage(
            chrome: WebChrome.make(req, title: "Ask for an ASB Case Review", posts: false), reports: threshold.reportsNeeded,
            months: threshold.windowMonths, hateReports: threshold.hateReportsNeeded, howToApply: CaseReviewService.howToApply))
    }

    struct NoticesPage: PageModel {
        struct Notice: Encodable, Sendable {
            var title: String
            var text: String
            var publishedOn: String
        }
        var chrome: PageChrome
        var filter: FormModel
        var neighbourhood: String?
        var notices: [Notice]?
    }

    @Sendable func notices(_ req: Request) async throws -> Response {
        let neighbourhoods = try await ReferenceDataService(app: req.application, db: req.db, requestID: req.id).neighbourhoods()
        let chosen = req.query[String.self, at: "neighbourhood"].flatMap(UUID.init(uuidString:))
        let selected = neighbourhoods.first { $0.id == chosen }
        var notices: [NoticesPage.Notice] = []
        if let selected {
            notices = try await NoticeService(app: req.application, db: req.db, requestID: req.id).published(in: selected.requireID())
                .map { .init(title: $0.title, text: $0.text,
                             publishedOn: $0.publishedAt.map { LondonTime.localDateTime(for: $0).date.longDescription } ?? "") }
        }
        let filter = FormModel(id: "neighbourhood-filter", title: "Choose your neighbourhood", action: "/notices",
                               submitLabel: "Show notices", fields: [
            FormField(kind: .select, name: "neighbourhood", label: "Neighbourhood",
                  options: [.init(value: "", label: "Choose a neighbourhood")]
                    + neighbourhoods.map { .init(value: $0.id?.text ?? "", label: $0.name, selected: $0.id == chosen) }),
        ])
        return try await req.page("public/notices", NoticesPage(
            chrome: WebChrome.make(req, title: "Community notices", posts: false), filter: filter, neighbourhood: selected?.name, notices: notices.nilIfEmpty))
    }
}

