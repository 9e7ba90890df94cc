import ASBCore
import Foundation
import Vapor

/// Complaints and compliments in the workspace (SS-MON-5): the open ones, recording one from
/// any channel, and a team leader moving each on.
extension StaffSite {
    func bootFeedback(_ routes: any RoutesBuilder) {
        routes.get(use: feedbackList)
        routes.post(use: recordFeedback)
        routes.get(":id", use: feedbackDetail)
        routes.post(":id", use: advanceFeedback)
    }

    struct FeedbackListPage: PageModel {
        var chrome: PageChrome
        var tables: [Table]?
        var form: FormModel
    }

    static func feedbackRecordForm() -> FormModel {
        FormModel(id: "record-feedback", title: "Record a complaint or compliment", action: "/staff/feedback", submitLabel: "Record",
                  fields: [FormField(kind: .select, name: "channel", label: "How it came in",
                                     options: options([ReportChannel.phone, .email, .letter, .inPerson, .web].map { ($0.rawValue, $0.displayName) },
                                                      selected: "phone")),
                           FormField(kind: .date, name: "receivedOn", label: "Date received (optional)", width: "medium")]
                    + PublicSite.feedbackFields())
    }

    private func feedbackListPage(_ req: Request, form: FormModel = StaffSite.feedbackRecordForm(), errors: [ErrorLink] = [],
                                  status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        let service = FeedbackService(app: req.application, db: req.db, requestID: req.id)
        func rows(_ items: [Feedback]) -> [[Table.Cell]] {
            items.map { f in
                [.init(text: f.shortReference, href: "/staff/feedback/\(f.id?.text ?? "")"), .init(text: f.kind.displayName),
                 .init(text: CaseClock.describe(f.receivedAt)), .init(text: f.asbCase?.reference ?? "–"),
                 .init(text: f.status.displayName, tag: f.status == .closed ? "tag-grey" : "tag-yellow")]
            }
        }
        let headers = ["Reference", "Kind", "Received", "Case", "Status"]
        let open = try await service.list(open: true, by: .staff(user))
        let closed = try await service.list(open: false, by: .staff(user))
        return try await req.page("staff/feedback", FeedbackListPage(
            chrome: WebChrome.make(req, title: "Complaints and compliments", errors: errors),
            tables: [Table(caption: "Open", headers: headers, rows: rows(open)),
                     Table(caption: "Closed", headers: headers, rows: rows(Array(closed.suffix(50))))].filter { !$0.rows.isEmpty }.nilIfEmpty,
            form: form), status: status)
    }

    @Sendable func feedbackList(_ req: Request) async throws -> Response { try await feedbackListPage(req) }

    @Sendable func recordFeedback(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.recordReport)
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        var errors: [FieldError] = []
        let channel = form.choice("channel", ReportChannel.self, errors: &errors, message: "Choose how it came in.")
        var receivedAt: Date?
        if let raw = form["receivedOn"] {
            if let day = LocalDate(iso: raw) { receivedAt = LondonTime.startOfDay(day) } else {
                errors.append(FieldError("receivedOn", "Enter a real date."))
            }
        }
        do {
            guard errors.isEmpty, let channel else { throw ValidationFailure(errors) }
            let feedback = try await FeedbackService(app: req.application, db: req.db, requestID: req.id)
                .record(PublicSite.feedbackDraft(form), channel: channel, receivedAt: receivedAt, by: .staff(user))
            return req.seeOther("/staff/feedback/\(feedback.id?.text ?? "")", notice: "\(feedback.kind.displayName) \(feedback.shortReference) is recorded.")
        } catch let failure as ValidationFailure {
            var model = Self.feedbackRecordForm()
            model.fill(from: form)
            let links = model.apply(failure.errors)
            return try await feedbackListPage(req, form: model, errors: links, status: .unprocessableEntity)
        }
    }

    struct FeedbackDetailPage: PageModel {
        var chrome: PageChrome
        var reference: String
        var items: SummaryList
        var text: String
        var form: FormModel?
    }

    private func feedbackDetailPage(_ req: Request, id: UUID, form override: FormModel? = nil, errors: [ErrorLink] = [],
                                    status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        let f = try await FeedbackService(app: req.application, db: req.db, requestID: req.id).read(id, by: .staff(user))
        var items: [SummaryItem] = [
            .init(key: "Kind", value: f.kind.displayName), .init(key: "Status", value: f.status.displayName),
            .init(key: "Received", value: "\(CaseClock.describe(f.receivedAt)) by \(f.channel.displayName.lowercased())"),
            .init(key: "From", value: [f.name, f.email, f.phone].compactMap { $0 }.joined(separator: ", ").nonEmpty ?? "Not given"),
        ]
        if let c = f.asbCase { items.append(.init(key: "Case", value: c.reference)) }
        if let officer = f.officerName { items.append(.init(key: "About the officer", value: officer)) }
        if let at = f.acknowledgedAt { items.append(.init(key: "Acknowledged", value: CaseClock.describe(at))) }
        if let investigator = f.investigator { items.append(.init(key: "Investigated by", value: investigator.displayName)) }
        if let outcome = f.outcome { items.append(.init(key: "Outcome", value: outcome.displayName)) }
        if let actions = f.improvementActions { items.append(.init(key: "Improvement actions", value: actions)) }
        var form = override
        if form == nil, user.role == .teamLeader {
            let leaders = try await UserService(app: req.application, db: req.db, requestID: req.id).caseworkers()
            form = Self.feedbackStepForm(f, leaders: leaders)
        }
        return try await req.page("staff/feedback-detail", FeedbackDetailPage(
            chrome: WebChrome.make(req, title: "\(f.kind.displayName) \(f.shortReference)", errors: errors),
            reference: f.shortReference, items: SummaryList(items), text: f.text, form: form), status: status)
    }

    /// The next step's form for a team leader, or nil when the record is closed.
    static func feedbackStepForm(_ f: Feedback, leaders: [UserService.Caseworker]) -> FormModel? {
        let action = "/staff/feedback/\(f.id?.text ?? "")"
        func step(_ title: String, _ submit: String, to: FeedbackStatus, _ fields: [FormField], intro: String? = nil) -> FormModel {
            FormModel(id: "feedback-step", title: title, action: action, submitLabel: submit, fields: fields,
                      hidden: [.init(name: "to", value: to.rawValue)], intro: intro)
        }
        switch (f.kind, f.status) {
        case (.complaint, .received):
            return step("Acknowledge the complaint", "Mark acknowledged", to: .acknowledged, [])
        case (.complaint, .acknowledged):
            return step("Start the investigation", "Start investigation", to: .investigating, [
                FormField(kind: .select, name: "investigatorId", label: "Investigated by",
                          options: options(leaders.map { ($0.id.text, $0.displayName) })),
            ])
        case (.complaint, .investigating):
            return step("Close with the outcome", "Close complaint", to: .closed, [
                FormField.choices(.radios, name: "outcome", label: "Outcome", of: FeedbackOutcome.self, selected: [], label: \.displayName),
                FormField(kind: .textarea, name: "improvementActions", label: "Improvement actions",
                          hint: "What will change, who does it and by when."),
            ])
        case (.compliment, .received):
            return step("Passed on", "Mark passed on and close", to: .closed, [],
                        intro: "Pass the compliment to the officer it names, then close it.")
        default:
            return nil
        }
    }

    @Sendable func feedbackDetail(_ req: Request) async throws -> Response {
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such record.") }
        return try await feedbackDetailPage(req, id: id)
    }

    @Sendable func advanceFeedback(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such record.") }
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        var errors: [FieldError] = []
        let to = form.choice("to", FeedbackStatus.self, errors: &errors, message: "Choose the next step.")
        var outcome: FeedbackOutcome?
        if let raw = form["outcome"] { outcome = FeedbackOutcome(rawValue: raw) }
        do {
            guard let to else { throw ValidationFailure(errors) }
            let f = try await FeedbackService(app: req.application, db: req.db, requestID: req.id).advance(id, .init(
                to: to, investigatorID: form["investigatorId"].flatMap(UUID.init(uuidString:)), outcome: outcome,
                improvementActions: form["improvementActions"]), by: .staff(user))
            return req.seeOther("/staff/feedback/\(id.text)", notice: "\(f.kind.displayName) \(f.shortReference): \(f.status.displayName.lowercased()).")
        } catch let failure as ValidationFailure {
            // Re-show the step's form with the answers and the messages beside them.
            let current = try await FeedbackService(app: req.application, db: req.db, requestID: req.id).find(id, by: .staff(user))
            let leaders = try await UserService(app: req.application, db: req.db, requestID: req.id).caseworkers()
            var model = Self.feedbackStepForm(current, leaders: leaders)
            model?.fill(from: form)
            let links = model?.apply(failure.errors) ?? []
            return try await feedbackDetailPage(req, id: id, form: model, errors: links, status: .unprocessableEntity)
        } catch let violation as RuleViolation {
            return try await feedbackDetailPage(req, id: id, errors: [ErrorLink(href: "#main-content", message: violation.description)],
                                                status: .conflict)
        }
    }
}
