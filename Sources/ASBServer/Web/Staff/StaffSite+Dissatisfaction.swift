import ASBCore
import Foundation
import Vapor

/// Dissatisfaction reviews for team leaders (SS-MON-3).
extension StaffSite {
    func bootDissatisfaction(_ routes: any RoutesBuilder) {
        routes.get(use: dissatisfactionList)
        routes.get(":id", use: dissatisfactionDetail)
        routes.post(":id", use: dissatisfactionRecord)
        routes.post(":id", "actions", ":action", "done", use: dissatisfactionActionDone)
        routes.post(":id", "close", use: dissatisfactionClose)
    }

    @Sendable func dissatisfactionList(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        let reviews = try await DissatisfactionReviewService(app: req.application, db: req.db, requestID: req.id).list(by: .staff(user))
        let rows: [[Table.Cell]] = reviews.map { r in
            [.init(text: r.asbCase.reference, href: "/staff/dissatisfaction/\(r.id?.text ?? "")"),
             .init(text: "\(r.survey.overall ?? 0) of 5"), .init(text: CaseClock.describe(r.createdAt)),
             .init(text: r.status == "open" ? "Open" : "Closed", tag: r.status == "open" ? "tag-yellow" : "tag-grey")]
        }
        return try await req.page("staff/list", ListPage(
            chrome: WebChrome.make(req, title: "Dissatisfaction reviews"), heading: "Dissatisfaction reviews",
            intro: "A reporter who answered the satisfaction survey with 1 or 2 overall gets a team leader's review: findings, then improvement actions with owners and due dates. The review closes when every action is done (SS-MON-3).",
            tables: rows.isEmpty ? nil : [Table(caption: "Reviews", headers: ["Case", "Overall", "Opened", "State"], rows: rows)],
            empty: rows.isEmpty ? "No reporter has been dissatisfied yet." : nil))
    }

    struct DissatisfactionPage: PageModel {
        var chrome: PageChrome
        var id: String
        var reference: String
        var items: SummaryList
        var actions: [Table]?
        var open: Bool
        var form: FormModel?
    }

    static func dissatisfactionForm(_ id: UUID, findings: String?, owners: [UserService.Caseworker]) -> FormModel {
        var fields = [FormField(kind: .textarea, name: "findings", label: "Findings", value: findings ?? "")]
        for index in 0..<2 {
            fields += [
                FormField(kind: .text, name: "actions.\(index).what", label: "Improvement action \(index + 1) (optional)"),
                FormField(kind: .select, name: "actions.\(index).ownerId", label: "Action \(index + 1): owner",
                          options: options(owners.map { ($0.id.text, $0.displayName) }, blank: "Choose")),
                FormField(kind: .date, name: "actions.\(index).dueOn", label: "Action \(index + 1): due by", width: "medium"),
            ]
        }
        return FormModel(id: "dissatisfaction", title: "Findings and improvement actions", action: "/staff/dissatisfaction/\(id.text)",
                         submitLabel: "Save", fields: fields)
    }

    private func dissatisfactionPage(_ req: Request, form override: FormModel? = nil, errors: [ErrorLink] = [],
                                     status: HTTPStatus = .ok) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such review.") }
        let review = try await DissatisfactionReviewService(app: req.application, db: req.db, requestID: req.id).find(id, by: .staff(user))
        let s = review.survey
        var items: [SummaryItem] = [.init(key: "Overall", value: "\(s.overall ?? 0) of 5")]
        for (label, value) in [("Kept informed", s.keptInformed), ("Ease of reporting", s.easeOfReporting), ("Listened to", s.listenedTo)] {
            if let value { items.append(.init(key: label, value: "\(value) of 5")) }
        }
        if let again = s.wouldReportAgain { items.append(.init(key: "Would report again", value: again ? "Yes" : "No")) }
        if let comments = s.comments { items.append(.init(key: "Comments", value: comments)) }
        if let findings = review.findings { items.append(.init(key: "Findings", value: findings)) }
        let open = review.status == "open"
        let rows: [[Table.Cell]] = review.actions.map { a in
            [.init(text: a.what), .init(text: a.owner.displayName), .init(text: LocalDate(iso: a.dueOn)?.longDescription ?? a.dueOn),
             a.doneOn != nil || !open
                ? .init(text: a.doneOn.flatMap(LocalDate.init(iso:)).map { "Done \($0.longDescription)" } ?? "Not done", tag: a.doneOn == nil ? "tag-yellow" : "tag-green")
                : .init(text: "", button: .init(action: "/staff/dissatisfaction/\(id.text)/actions/\(a.id?.text ?? "")/done",
                                                label: "Mark done", context: a.what, csrf: CSRF.token(for: req)))]
        }
        let owners = try await UserService(app: req.application, db: req.db, requestID: req.id).caseworkers()
        return try await req.page("staff/dissatisfaction", DissatisfactionPage(
            chrome: WebChrome.make(req, title: "Dissatisfaction review: \(review.asbCase.reference)", errors: errors),
            id: id.text, reference: review.asbCase.reference, items: SummaryList(items),
            actions: rows.isEmpty ? nil : [Table(caption: "Improvement actions", headers: ["Action", "Owner", "Due", "Done"], rows: rows)],
            open: open, form: open ? (override ?? Self.dissatisfactionForm(id, findings: review.findings, owners: owners)) : nil),
            status: status)
    }

    @Sendable func dissatisfactionDetail(_ req: Request) async throws -> Response { try await dissatisfactionPage(req) }

    @Sendable func dissatisfactionRecord(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such review.") }
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        let actions = (0..<2).map { index in
            DissatisfactionReviewService.NewAction(what: form["actions.\(index).what"] ?? "",
                                                   ownerID: form["actions.\(index).ownerId"].flatMap(UUID.init(uuidString:)),
                                                   dueOn: form["actions.\(index).dueOn"])
        }
        do {
            try await DissatisfactionReviewService(app: req.application, db: req.db, requestID: req.id)
                .record(id, findings: form["findings"], actions: actions, by: .staff(user))
            return req.seeOther("/staff/dissatisfaction/\(id.text)", notice: "The review is saved.")
        } catch let failure as ValidationFailure {
            let owners = try await UserService(app: req.application, db: req.db, requestID: req.id).caseworkers()
            var model = Self.dissatisfactionForm(id, findings: nil, owners: owners)
            model.fill(from: form)
            let links = model.apply(failure.errors)
            return try await dissatisfactionPage(req, form: model, errors: links, status: .unprocessableEntity)
        }
    }

    @Sendable func dissatisfactionActionDone(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        try CSRF.verify(try req.formData(), for: req)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
              let action = req.parameters.get("action").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such action.") }
        try await DissatisfactionReviewService(app: req.application, db: req.db, requestID: req.id).markDone(action, in: id, by: .staff(user))
        return req.seeOther("/staff/dissatisfaction/\(id.text)", notice: "The action is marked done.")
    }

    @Sendable func dissatisfactionClose(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.updateCase)
        try CSRF.verify(try req.formData(), for: req)
        guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("There is no such review.") }
        do {
            try await DissatisfactionReviewService(app: req.application, db: req.db, requestID: req.id).close(id, by: .staff(user))
        } catch let violation as RuleViolation {
            return try await dissatisfactionPage(req, errors: [ErrorLink(href: "#main-content", message: violation.description)], status: .conflict)
        }
        return req.seeOther("/staff/dissatisfaction", notice: "The review is closed.")
    }
}
