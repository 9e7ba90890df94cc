import ASBCore
import Fluent
import Foundation
import Vapor

extension StaffSite {
    /// One row of a case table: the columns every queue shares, plus what the queue is about.
    struct CaseRow: Encodable, Sendable {
        var reference: String
        var href: String
        var status: String
        var statusClass: String
        var priority: String?
        var priorityClass: String?
        var hate: Bool
        var officer: String?
        /// What makes the case due: "Response due Tue 24 Nov 2026 10:15 GMT (Breached)".
        var due: String?
        var dueClass: String?
        var received: String
    }

    /// A queue's cases as a table, written in Swift like `Table`: the home page lists eight
    /// queues' first rows, and Leaf resolving each row's dozen keys was a sixth of its server CPU
    /// at 1,000,000 cases. The caption is for screen readers (a heading above says it).
    struct CaseTable: HTMLFragment, Sendable {
        var caption: String
        var rows: [CaseRow]

        var html: String {
            var w = HTMLWriter()
            Table.writeStart(caption: caption, hidden: true, headers: Self.headers, into: &w)
            for row in rows {
                w.raw("    <tr>\n      <td><a")
                w.attribute("href", row.href)
                w.raw(">")
                w.text(row.reference)
                w.raw("</a>")
                if row.hate {
                    w.raw(" ")
                    w.tag("Hate", class: "tag-red")
                }
                w.raw("</td>\n      <td>")
                w.tag(row.status, class: row.statusClass)
                w.raw("</td>\n      <td>")
                if let priority = row.priority { w.tag(priority, class: row.priorityClass ?? "") } else { w.raw("Not assessed") }
                w.raw("</td>\n      <td>")
                if let officer = row.officer { w.text(officer) } else { w.raw("Not allocated") }
                w.raw("</td>\n      <td>")
                if let due = row.due, let dueClass = row.dueClass {
                    w.raw("<span")
                    w.attribute("class", "due \(dueClass)-text")
                    w.raw(">")
                    w.text(due)
                    w.raw("</span>")
                } else if let due = row.due {
                    w.text(due)
                } else {
                    w.raw("–")
                }
                w.raw("</td>\n      <td>")
                w.text(row.received)
                w.raw("</td>\n    </tr>\n")
            }
            Table.writeEnd(into: &w)
            return w.html
        }

        static let headers = ["Case", "Status", "Priority", "Officer", "Due", "Received"]
    }

    static func row(_ item: QueueService.Item, now: Date) -> CaseRow {
        let c = item.asbCase
        var due: String?
        var dueClass: String?
        if let m = item.milestone {
            let state = m.state(now: now)
            due = "\(m.milestone.displayName) due \(CaseClock.describeDue(m.dueAt)) (\(state.displayName))"
            dueClass = Tag.milestone(state)
        } else if let next = item.nextContactOn.flatMap(LocalDate.init(iso:)) {
            due = "Contact due \(next.longDescription)"
        } else if let review = item.reviewOn.flatMap(LocalDate.init(iso:)) {
            due = "Review meeting \(review.longDescription)"
        } else if let reviewDue = c.caseReviewDueAt, c.caseReviewStatus != nil {
            due = "ASB Case Review step due \(CaseClock.describe(reviewDue))"
        }
        return CaseRow(reference: c.reference, href: "/staff/cases/\(c.reference)", status: c.status.displayName,
                       statusClass: Tag.status(c.status), priority: c.priority?.displayName,
                       priorityClass: c.priority.map(Tag.priority), hate: c.hate,
                       officer: c.officer?.name, due: due, dueClass: dueClass,
                       received: CaseClock.describe(c.receivedAt))
    }

    /// The queues a role works, in the order the home page shows them.
    struct QueueInfo: Sendable {
        var slug: String
        var title: String
        var explanation: String
    }

    static let queues: [QueueInfo] = [
        .init(slug: "triage", title: "Triage", explanation: "Reports not yet assessed and allocated, oldest first."),
        .init(slug: "mine", title: "My cases", explanation: "Open cases allocated to you."),
        .init(slug: "dueSoon", title: "Due soon", explanation: "Deadlines due within the next \(QueueService.dueSoonWorkingHours) working hours."),
        .init(slug: "overdue", title: "Overdue", explanation: "Deadlines passed and not met, most overdue first."),
        .init(slug: "contactDue", title: "Contact due", explanation: "Agreed contact with reporters due today or earlier."),
        .init(slug: "closureReviewDue", title: "Closure review due", explanation: "Open cases with no new reports for 60 days."),
        .init(slug: "reviewsDue", title: "Reviews due", explanation: "Case review meetings due and not yet recorded."),
        .init(slug: "caseReviewThreshold", title: "ASB Case Review", explanation: "Cases that met the ASB Case Review threshold."),
    ]

    static func queues(for user: User) -> [QueueInfo] {
        switch user.role {
        case .officer, .teamLeader: queues
        case .intake: queues.filter { $0.slug == "triage" }
        default: []
        }
    }

    struct QueueRows {
        var rows: [CaseRow]
        var nextCursor: String?
    }

    /// One page of a queue, from the queue service (or the case list for "My cases").
    static func rows(of slug: String, for user: User, cursor: String?, limit: Int, sort: String?, req: Request) async throws -> QueueRows {
        let now = req.application.asb.clock.now()
        if slug == "mine" {
            var filter = try myCases(user)
            filter.sort = sort.flatMap(CaseService.ListFilter.Sort.init(rawValue:)) ?? .receivedAtDescending
            let page = try await CaseService(app: req.application, db: req.db, requestID: req.id)
                .list(filter, cursor: cursor, limit: limit, by: user)
            return QueueRows(rows: page.items.map { row(QueueService.Item(asbCase: $0), now: now) }, nextCursor: page.nextCursor)
        }
        guard let name = QueueService.Name(rawValue: slug) else { throw AppError.notFound("There is no such queue.") }
        let calendar = try await CalendarService(app: req.application, db: req.db, requestID: req.id).calendar()
        let page = try await QueueService(db: req.db).page(name, for: user, calendar: calendar, now: now, cursor: cursor, limit: limit,
                                                           leastUrgentFirst: sort == "least")
        return QueueRows(rows: page.items.map { row($0, now: now) }, nextCursor: page.nextCursor)
    }

    /// A queue's length as the home page and the dashboard show it: the number, or "50 or more"
    /// past `homeCountLimit` (a bounded count: it reads at most 51 ids however long the queue is).
    static func count(of slug: String, for user: User, req: Request) async throws -> String {
        let upTo = homeCountLimit + 1
        let count: Int
        if slug == "mine" {
            count = try await CaseService(app: req.application, db: req.db, requestID: req.id).count(try myCases(user), upTo: upTo, by: user)
        } else {
            guard let name = QueueService.Name(rawValue: slug) else { throw AppError.notFound("There is no such queue.") }
            let calendar = try await CalendarService(app: req.application, db: req.db, requestID: req.id).calendar()
            count = try await QueueService(db: req.db).count(name, for: user, calendar: calendar,
                                                             now: req.application.asb.clock.now(), upTo: upTo)
        }
        return count > homeCountLimit ? "\(homeCountLimit) or more" : "\(count)"
    }

    /// "My cases": the user's cases not yet closed.
    private static func myCases(_ user: User) throws -> CaseService.ListFilter {
        var filter = CaseService.ListFilter()
        filter.officer = .user(try user.requireID())
        filter.openOnly = true
        return filter
    }

    // MARK: Home

    struct HomePage: PageModel {
        struct QueueSummary: Encodable, Sendable {
            var slug: String
            var title: String
            var explanation: String
            var count: String
            var href: String
            /// Its most urgent cases; nil when it has none.
            var table: CaseTable?
        }
        var chrome: PageChrome
        var queues: [QueueSummary]?
        var message: String?
    }

    /// How many items the home page counts before saying "50 or more": every count stays a bounded query.
    static let homeCountLimit = 50
    /// How many of each queue's most urgent items the home page lists under the counts.
    static let homeRows = 5

    @Sendable func home(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage()
        if user.role == .admin { return req.redirect(to: "/staff/admin/users") }
        if user.role == .analyst { return req.redirect(to: "/staff/dashboard") }
        var summaries: [HomePage.QueueSummary] = []
        for info in Self.queues(for: user) {
            let page = try await Self.rows(of: info.slug, for: user, cursor: nil, limit: Self.homeRows, sort: nil, req: req)
            let count = page.nextCursor == nil ? "\(page.rows.count)" : try await Self.count(of: info.slug, for: user, req: req)
            summaries.append(.init(slug: info.slug, title: info.title, explanation: info.explanation, count: count,
                                   href: "/staff/queues/\(info.slug)",
                                   table: page.rows.isEmpty ? nil : CaseTable(caption: info.title, rows: page.rows)))
        }
        let message: String? = summaries.isEmpty
            ? "Your role has no work queues. Use search to find a case shared with you." : nil
        return try await req.page("staff/home", HomePage(chrome: WebChrome.make(req, title: "Work queues"),
                                                         queues: summaries.nilIfEmpty, message: message))
    }

    // MARK: One queue

    struct QueuePage: PageModel {
        struct SortLink: Encodable, Sendable {
            var label: String
            var href: String
            var current: Bool
        }
        var chrome: PageChrome
        var title: String
        var explanation: String
        /// The page's cases; nil when the queue is empty.
        var table: CaseTable?
        var nextHref: String?
        var sortLinks: [SortLink]?
    }

    @Sendable func queue(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage()
        let slug = req.parameters.get("queue") ?? ""
        guard let info = Self.queues(for: user).first(where: { $0.slug == slug }) else {
            throw AppError.notFound("There is no such queue for your role.")
        }
        let sort = req.query[String.self, at: "sort"]
        let cursor = req.query[String.self, at: "cursor"]
        let page = try await Self.rows(of: slug, for: user, cursor: cursor, limit: 25, sort: sort, req: req)
        var next: String?
        if let cursor = page.nextCursor {
            next = "/staff/queues/\(slug)?cursor=\(cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")"
                + (sort.map { "&sort=\($0)" } ?? "")
        }
        let sorts: [(String, String)] = slug == "mine"
            ? [("Newest first", "-receivedAt"), ("Oldest first", "receivedAt"), ("Reference", "reference")]
            : [("Most urgent first", "urgent"), ("Least urgent first", "least")]
        let current = sort ?? sorts[0].1
        let sortLinks: [QueuePage.SortLink]? = sorts.map {
            .init(label: $0.0, href: "/staff/queues/\(slug)?sort=\($0.1)", current: current == $0.1)
        }
        return try await req.page("staff/queue", QueuePage(
            chrome: WebChrome.make(req, title: info.title), title: info.title, explanation: info.explanation,
            table: page.rows.isEmpty ? nil : CaseTable(caption: info.title, rows: page.rows), nextHref: next, sortLinks: sortLinks))
    }

    // MARK: Search

    struct SearchPage: PageModel {
        struct PartyResult: Encodable, Sendable {
            var name: String
            var address: String?
            var postcode: String?
            var tenancyReference: String?
            var cases: [CaseLink]
        }
        struct CaseLink: Encodable, Sendable {
            var reference: String
            var href: String
            var role: String
            var status: String
        }
        var chrome: PageChrome
        var form: FormModel
        var searched: Bool
        var results: [PartyResult]?
    }

    static func searchForm(_ form: FormData) -> FormModel {
        var model = FormModel(id: "search", title: "Search", action: "/staff/search", submitLabel: "Search", fields: [
            FormField(kind: .text, name: "q", label: "Case reference, name or address",
                  hint: "For example ASB-2026-00042, or the start of a surname or street."),
            FormField(kind: .text, name: "postcode", label: "Postcode", width: "narrow"),
            FormField(kind: .text, name: "tenancyReference", label: "Tenancy reference", width: "medium"),
        ])
        model.fill(from: form)
        return model
    }

    @Sendable func search(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.readCases)
        var query = FormData()
        for name in ["q", "postcode", "tenancyReference"] { query.set(name, req.query[String.self, at: name]) }
        var form = Self.searchForm(query)
        let searched = ["q", "postcode", "tenancyReference"].contains { query[$0] != nil }
        guard searched else {
            return try await req.page("staff/search", SearchPage(chrome: WebChrome.make(req, title: "Search"), form: form, searched: false))
        }
        // A case reference goes straight to the case.
        if let q = query["q"], let reference = CaseReference(q) {
            return req.redirect(to: "/staff/cases/\(reference)")
        }
        do {
            let found = try await PartyService(app: req.application, db: req.db, requestID: req.id)
                .search(q: query["q"], postcode: query["postcode"], tenancyReference: query["tenancyReference"], by: user)
            var results: [SearchPage.PartyResult] = []
            let casesByParty = try await PartyService.cases(of: found.map(\.id), on: req.db)
            for party in found {
                let cases = casesByParty[party.id] ?? []
                results.append(.init(name: party.name ?? "Name not given", address: party.address, postcode: party.postcode,
                                     tenancyReference: party.tenancyReference,
                                     cases: cases.map { .init(reference: $0.reference, href: "/staff/cases/\($0.reference)",
                                                              role: $0.role.displayName, status: $0.status.displayName) }))
            }
            return try await req.page("staff/search", SearchPage(chrome: WebChrome.make(req, title: "Search"), form: form,
                                                                 searched: true, results: results.nilIfEmpty))
        } catch let failure as ValidationFailure {
            let links = form.apply(failure.errors)
            return try await req.page("staff/search", SearchPage(chrome: WebChrome.make(req, title: "Search", errors: links),
                                                                 form: form, searched: false), status: .unprocessableEntity)
        }
    }
}

/// Tag colours: each tag also says its meaning in words, so nothing is told by colour alone.
enum Tag {
    static func priority(_ p: Priority) -> String {
        switch p {
        case .p1: "tag-red"
        case .p2: "tag-orange"
        case .p3: "tag-blue"
        }
    }

    static func status(_ s: CaseStatus) -> String {
        switch s {
        case .received: "tag-purple"
        case .open: "tag-green"
        case .closurePending: "tag-yellow"
        case .closed: "tag-grey"
        }
    }

    static func milestone(_ s: MilestoneState) -> String {
        switch s {
        case .pending: "tag-blue"
        case .met: "tag-green"
        case .breached: "tag-red"
        }
    }
}
