import ASBCore
import Fluent
import SQLKit
import Foundation
import Vapor

extension RawRepresentable where RawValue == String {
    /// `inProgress` → "In progress", for values without a display name of their own.
    var words: String {
        var out = ""
        for ch in rawValue {
            if ch.isUppercase { out += " " + ch.lowercased() } else { out.append(ch) }
        }
        return out.capitalisedFirst
    }
}

extension StaffSite {
    func bootCase(_ routes: any RoutesBuilder) {
        routes.get(use: casePage)
        routes.post("attachments", use: uploadAttachment)
        routes.get("attachments", ":id", use: downloadAttachment)
        routes.post(":form", use: submitCaseForm)
    }

    /// Everything the case page shows, loaded through the services (each read is audited there).
    struct CaseData {
        var user: User
        var detail: CaseService.Detail
        var plan: ActionPlanService.View?
        var contacts: ContactService.Overview?
        var referrals: [Referral]
        var reviews: [ReviewMeeting]
        var enforcement: EnforcementService.View?
        var closure: ClosureService.View?
        var timeline: [CaseEvent]
        var attachments: [Attachment] = []
        var messages: [OutboxMessage] = []
        /// A closed case's satisfaction survey still waits for answers.
        var surveyDue = false
        var caseworkers: [UserService.Caseworker]
        var agencies: [PartnerAgency]
        var mayWork: Bool
        var now: Date
    }

    static func load(_ reference: String, user: User, req: Request) async throws -> CaseData {
        // The page changes no officer, person or agency: each is read once however many parts name it.
        try await ParentRows.$current.withValue(ParentRows()) {
            try await loadParts(reference, user: user, req: req)
        }
    }

    private static func loadParts(_ reference: String, user: User, req: Request) async throws -> CaseData {
        let app = req.application, db = req.db, id = req.id
        let actor = Actor.staff(user)
        // Found and access-checked once; every part of the page is read from it.
        let readable = try await CaseService(app: app, db: db, requestID: id).readable(reference, by: actor)
        let detail = try await CaseService(app: app, db: db, requestID: id).detail(of: readable)
        let referrals = try await ReferralService(app: app, db: db, requestID: id).list(on: readable)
        let now = app.asb.clock.now()
        guard user.role != .partner else {
            return CaseData(user: user, detail: detail, referrals: referrals, reviews: [], timeline: [], caseworkers: [], agencies: [],
                            mayWork: false, now: now)
        }
        let relation = try await CaseService(app: app, db: db, requestID: id).relation(of: detail.asbCase, to: user)
        let status = detail.asbCase.status
        let mayWork = user.role.may(.updateCase)
            && CaseAccess.canUpdate(role: user.role, relation: relation, caseIsAllocated: detail.asbCase.$allocatedOfficer.id != nil)
        return CaseData(
            user: user, detail: detail,
            plan: try await ActionPlanService(app: app, db: db, requestID: id).view(of: readable),
            contacts: try await ContactService(app: app, db: db, requestID: id).overview(of: readable),
            referrals: referrals,
            reviews: try await ReviewService(app: app, db: db, requestID: id).list(of: readable),
            enforcement: try await EnforcementService(app: app, db: db, requestID: id).view(of: readable),
            closure: try await ClosureService(app: app, db: db, requestID: id).view(of: readable),
            timeline: try await CaseService(app: app, db: db, requestID: id).timeline(of: readable, cursor: nil, limit: 100, auditedAsCaseRead: true).items,
            attachments: try await AttachmentService(app: app, db: db, requestID: id).list(of: readable),
            messages: try await Outbox.messages(of: detail.asbCase.requireID(), on: db),
            surveyDue: try await SatisfactionSurvey.storedFirst(
                "WHERE case_id = \(bind: detail.asbCase.requireID()) AND status = 'due'", on: db) != nil,
            // Only the forms a closed case no longer offers choose from these.
            caseworkers: CaseForm.allocate.isOffered(on: status) ? try await UserService(app: app, db: db, requestID: id).caseworkers() : [],
            agencies: [CaseForm.actionPlan, .referral, .leadAgency].contains { $0.isOffered(on: status) }
                ? try await ReferralService(app: app, db: db, requestID: id).agencies().filter(\.active) : [],
            mayWork: mayWork, now: now)
    }

    // MARK: The page

    struct CasePage: PageModel {
        var chrome: PageChrome
        var reference: String
        var status: String
        var statusClass: String
        var priority: String?
        var priorityClass: String?
        var hate: Bool
        /// False for a partner without the risk assessment shared: no priority tag at all.
        var priorityShown: Bool
        /// The summary list and the sections, written in Swift (`PageSection.write(csrf:into:)`).
        var summaryHTML: String
        /// One table or none (a list, so the template can loop it into the shared table partial).
        var deadlines: [Table]?
        var sectionsHTML: String
        var contents: [PageChrome.NavLink]
        /// A stale edit: what happened, and that nothing was overwritten.
        var conflict: String?
    }

    @Sendable func casePage(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage(.readCases)
        let data = try await Self.load(req.parameters.get("reference") ?? "", user: user, req: req)
        return try await Self.render(data, req: req, forms: Self.forms(for: data))
    }

    static func render(_ data: CaseData, req: Request, forms: [CaseForm: FormModel], errors: [ErrorLink] = [],
                       conflict: String? = nil, status: HTTPStatus = .ok) async throws -> Response {
        let c = data.detail.asbCase
        let sections = Self.sections(data, forms: forms)
        let chrome = WebChrome.make(req, title: "Case \(c.reference)", errors: errors)
        var summary = HTMLWriter(), body = HTMLWriter()
        SummaryItem.writeList(Self.summary(data), into: &summary)
        for section in sections { section.write(csrf: chrome.csrf, into: &body) }
        let page = CasePage(
            chrome: chrome,
            reference: c.reference, status: c.status.displayName, statusClass: Tag.status(c.status),
            priority: data.detail.sees(.riskAssessment) ? c.priority?.displayName : nil,
            priorityClass: data.detail.sees(.riskAssessment) ? c.priority.map(Tag.priority) : nil, hate: c.hate,
            priorityShown: data.detail.sees(.riskAssessment),
            summaryHTML: summary.html,
            deadlines: data.detail.visibleFields == nil ? Self.deadlines(data).map { [$0] } : nil,
            sectionsHTML: body.html, contents: sections.map { .init(href: "#" + $0.id, label: $0.title, current: false) },
            conflict: conflict)
        return try await req.page("staff/case", page, status: status)
    }

    static func summary(_ data: CaseData) -> [SummaryItem] {
        let c = data.detail.asbCase
        var items: [SummaryItem] = [
            .init(key: "Received", value: "\(CaseClock.describe(c.receivedAt)) by \(c.channel.displayName.lowercased())"),
            .init(key: "Officer", value: c.allocatedOfficer?.displayName ?? "Not allocated"),
            .init(key: "Lead agency", value: c.leadAgency?.name ?? "The landlord"),
            .init(key: "What it is about", value: c.categories.map(\.displayName).joined(separator: ", ").nonEmpty ?? "Not classified"),
        ]
        if c.hate {
            items.append(.init(key: "Hate crime or incident", value: c.hateStrands.map(\.displayName).joined(separator: ", ").nonEmpty ?? "Strands not recorded",
                               tag: "tag-red"))
        }
        if c.notASB { items.append(.init(key: "Recorded as", value: "Not anti-social behaviour: for information")) }
        if let held = c.legalHoldAt { items.append(.init(key: "Legal hold", value: "Since \(CaseClock.describe(held)): \(c.legalHoldReason ?? "")", tag: "tag-yellow")) }
        if let anonymised = c.anonymisedAt { items.append(.init(key: "Personal data", value: "Anonymised \(CaseClock.describe(anonymised)) (retention)")) }
        if let location = c.location, data.detail.sees(.incidents) { items.append(.init(key: "Where", value: [location, c.postcode].compactMap { $0 }.joined(separator: ", "))) }
        if let n = c.neighbourhood { items.append(.init(key: "Neighbourhood", value: n.name)) }
        if data.detail.visibleFields != nil {
            let shared = SharedField.allCases.filter(data.detail.sees).map(\.displayName).joined(separator: ", ")
            items.append(.init(key: "Shared with your agency", value: shared.nonEmpty ?? "The case summary only"))
        }
        if data.detail.repeatVictim { items.append(.init(key: "Repeat victim", value: "Another case within 12 months", tag: "tag-orange")) }
        if data.detail.repeatPerpetrator { items.append(.init(key: "Repeat perpetrator", value: "Another case within 12 months", tag: "tag-orange")) }
        if let status = c.caseReviewStatus {
            items.append(.init(key: "ASB Case Review", value: status.words, tag: "tag-purple"))
        }
        if let reason = c.closureReason, c.status == .closed {
            items.append(.init(key: "Closed", value: "\(reason.displayName), \(c.closedAt.map(CaseClock.describe) ?? "")"))
        }
        return items
    }

    static func deadlines(_ data: CaseData) -> Table? {
        let rows: [[Table.Cell]] = data.detail.deadlines.map { m in
            let state = m.state(now: data.now)
            return [
                .init(text: m.milestone.displayName),
                .init(text: CaseClock.describeDue(m.dueAt)),
                .init(text: state.displayName, tag: Tag.milestone(state)),
                .init(text: m.metAt.map(CaseClock.describe) ?? "Not yet"),
                .init(text: m.explanation),
            ]
        }
        return rows.isEmpty ? nil : Table(caption: "Deadlines", headers: ["Milestone", "Due", "State", "Met", "Rule"], rows: rows,
                                          captionHidden: true)
    }

    static func sections(_ data: CaseData, forms: [CaseForm: FormModel]) -> [PageSection] {
        func f(_ kinds: CaseForm...) -> [FormModel]? { kinds.compactMap { forms[$0] }.nilIfEmpty }
        let d = data.detail
        var sections: [PageSection] = []

        // Parties
        let partyRows: [[Table.Cell]] = d.visibleParties.map { link in
            let p = link.party
            var contact = [p.phone, p.email, p.address, p.postcode].compactMap { $0 }.joined(separator: ", ")
            if contact.isEmpty { contact = "None recorded" }
            let needs = (p.supportNeeds.map(\.displayName) + [p.supportNotes].compactMap { $0 }).joined(separator: ", ")
            let others = (d.otherCases[p.id ?? UUID()] ?? []).map(\.reference).joined(separator: ", ")
            return [.init(text: p.name ?? "Name not given"), .init(text: link.role.displayName), .init(text: contact),
                    .init(text: needs.isEmpty ? "None recorded" : needs), .init(text: others.isEmpty ? "None" : others)]
        }
        sections.append(PageSection(
            id: "parties", title: "People and support needs",
            tables: partyRows.isEmpty ? nil : [Table(caption: "People on this case", headers: ["Name", "Role", "Contact", "Support needs", "Other cases"], rows: partyRows)],
            empty: partyRows.isEmpty ? (d.visibleFields == nil ? "No people recorded: the report was anonymous." : "No personal details are shared with your agency.") : nil,
            forms: f(.party)))

        // Incidents (a partner sees them only when shared)
        let incidentRows: [[Table.Cell]] = d.incidents.map { i in
            [.init(text: CaseClock.describe(i.receivedAt)), .init(text: i.channel.displayName),
             .init(text: [i.occurredOn, i.occurredAt].compactMap { $0 }.joined(separator: " ").nonEmpty ?? "Not given"),
             .init(text: i.description)]
        }
        if d.sees(.incidents) {
            sections.append(PageSection(id: "incidents", title: "Reports and incidents",
                                        tables: [Table(caption: "Reports and incidents", headers: ["Received", "By", "When it happened", "What happened"], rows: incidentRows)],
                                        forms: f(.incident, .milestone)))
        }

        guard data.user.role != .partner else {
            sections.append(referralSection(data, forms: forms))
            return sections
        }

        // Evidence and documents
        let fileRows: [[Table.Cell]] = data.attachments.map { a in
            [.init(text: a.fileName, href: "/staff/cases/\(d.asbCase.reference)/attachments/\(a.id?.text ?? "")"),
             .init(text: a.type.displayName), .init(text: "\(a.size) bytes"), .init(text: CaseClock.describe(a.uploadedAt)),
             .init(text: a.restricted ? "Restricted" : "Shareable", tag: a.restricted ? "tag-yellow" : nil)]
        }
        sections.append(PageSection(id: "evidence", title: "Evidence and documents",
                                    tables: fileRows.isEmpty ? nil : [Table(caption: "Files", headers: ["File", "Type", "Size", "Added", "Sharing"], rows: fileRows)],
                                    empty: fileRows.isEmpty ? "No files yet." : nil, forms: f(.attachment)))

        // Risk and allocation
        sections.append(PageSection(id: "assessment", title: "Risk assessment and allocation",
                                    items: [.init(key: "Risk level", value: d.asbCase.riskLevel?.words ?? "Not assessed"),
                                            .init(key: "Priority set by", value: d.asbCase.prioritySource?.words ?? "Not set")],
                                    forms: f(.assess, .allocate)))

        // Action plan
        if let plan = data.plan {
            var tables: [Table] = []
            var items: [SummaryItem] = []
            if let current = plan.current {
                items = [.init(key: "Agreed", value: "\(LocalDate(iso: current.agreedOn)?.longDescription ?? current.agreedOn) by \(current.howAgreed.words.lowercased())"),
                         .init(key: "Reporter's actions missed", value: "\(plan.adherence.reporterActionsMissed) of \(plan.adherence.reporterActions)")]
                tables.append(Table(caption: "Actions (revision \(current.revision))", headers: ["Action", "Who", "Due", "Status"],
                                    rows: current.actions.sorted { $0.position < $1.position }.map { a in
                    [.init(text: a.what), .init(text: a.owner.displayName), .init(text: a.dueOn.flatMap(LocalDate.init(iso:))?.longDescription ?? "–"),
                     .init(text: a.status.displayName, tag: a.status == .done ? "tag-green" : a.status == .notDone ? "tag-red" : "tag-blue")]
                }))
            }
            sections.append(PageSection(id: "action-plan", title: "Action plan", items: items.nilIfEmpty, tables: tables.nilIfEmpty,
                                        empty: plan.current == nil ? "No action plan agreed yet (SS-NXT-2)." : nil,
                                        forms: f(.actionPlan, .actionStatus)))
        }

        // Contact
        if let contacts = data.contacts {
            var tables: [Table] = []
            if !contacts.plans.isEmpty {
                tables.append(Table(caption: "Agreed contact", headers: ["With", "How often", "How", "Next due"], rows: contacts.plans.filter(\.active).map { p in
                    let due = LocalDate(iso: p.nextContactDue)
                    let overdue = due.map { $0 < contacts.today } ?? false
                    return [.init(text: p.party.name ?? "Reporter"), .init(text: p.frequency), .init(text: p.method.words),
                            .init(text: due?.longDescription ?? p.nextContactDue, tag: overdue ? "tag-red" : nil)]
                }))
            }
            if !contacts.log.isEmpty {
                tables.append(Table(caption: "Contact log", headers: ["When", "With", "How", "Summary"], rows: contacts.log.map { e in
                    [.init(text: CaseClock.describe(e.at)), .init(text: e.party?.name ?? "–"),
                     .init(text: "\(e.method.words), \(e.direction.words.lowercased())"),
                     .init(text: (e.restricted ? "[Restricted] " : "") + e.summary)]
                }))
            }
            sections.append(PageSection(id: "contact", title: "Contact", tables: tables.nilIfEmpty,
                                        empty: tables.isEmpty ? "No contact agreed or logged yet (SS-NXT-5)." : nil,
                                        forms: f(.contact, .contactPlan)))
        }

        sections.append(referralSection(data, forms: forms))

        // Reviews
        let reviewRows: [[Table.Cell]] = data.reviews.map { r in
            [.init(text: LocalDate(iso: r.scheduledFor)?.longDescription ?? r.scheduledFor), .init(text: r.status.words),
             .init(text: r.attendees.joined(separator: ", ").nonEmpty ?? "–"), .init(text: r.summary ?? "–")]
        }
        sections.append(PageSection(id: "reviews", title: "Case review meetings",
                                    tables: reviewRows.isEmpty ? nil : [Table(caption: "Case review meetings", headers: ["Date", "Status", "Attendees", "Summary"], rows: reviewRows)],
                                    empty: reviewRows.isEmpty ? "No case review meetings yet (SS-PRG-3)." : nil,
                                    forms: f(.reviewSchedule, .reviewRecord, .caseReviewApply, .notice)))

        // Enforcement
        if let e = data.enforcement {
            var tables: [Table] = []
            if !e.evidence.isEmpty {
                tables.append(Table(caption: "Witness evidence", headers: ["Kind", "Confirmed", "How", "Approved"], rows: e.evidence.map { w in
                    [.init(text: w.kind.displayName), .init(text: w.confirmedOn), .init(text: w.howConfirmed),
                     .init(text: w.approvedAt == nil ? "Not yet" : "Approved", tag: w.approvedAt == nil ? "tag-yellow" : "tag-green")]
                }))
            }
            if !e.actions.isEmpty {
                tables.append(Table(caption: "Enforcement actions", headers: ["Action", "On", "Status", "Outcome"], rows: e.actions.map { a in
                    [.init(text: a.type.displayName), .init(text: a.on), .init(text: a.status.words), .init(text: a.outcome ?? "–")]
                }))
            }
            sections.append(PageSection(id: "enforcement", title: "Enforcement and legal action", tables: tables.nilIfEmpty,
                                        empty: tables.isEmpty ? "No enforcement recorded. Legal action needs the reporter's commitment to give witness statements (SS-PRG-4)." : nil,
                                        forms: f(.witnessEvidence, .evidenceApprove, .enforcement, .enforcementUpdate)))
        }

        // Closure
        if let closure = data.closure {
            var items: [SummaryItem] = []
            if let current = closure.current {
                items.append(.init(key: "Proposed reason", value: current.reason.displayName))
                items.append(.init(key: "Proposed", value: CaseClock.describe(current.proposedAt)))
                for contact in current.contacts {
                    items.append(.init(key: "Closure contact", value: "\(contact.method.displayName): \(contact.outcome.words), \(CaseClock.describe(contact.at))"))
                }
                items.append(.init(key: "Approved", value: current.approvedAt.map(CaseClock.describe) ?? "Not yet"))
            }
            if let blocked = closure.blockedBy, closure.current != nil {
                items.append(.init(key: "Cannot close yet", value: blocked.description, tag: "tag-yellow"))
            }
            sections.append(PageSection(id: "closure", title: "Closure", items: items.nilIfEmpty,
                                        empty: items.isEmpty ? "No closure proposed. A case closes only for one of five reasons, after a visit or phone call (SS-CLS-1, SS-CLS-2)." : nil,
                                        forms: f(.closurePropose, .closureContact, .closureApprove, .close, .reopen, .survey, .legalHold)))
        }

        // Messages to the reporter and to staff
        let messageRows: [[Table.Cell]] = data.messages.map { m in
            let state: (String, String) = switch m.status {
            case .pending: (m.channel == .letter ? "To print" : "Waiting to send", "tag-yellow")
            case .sent: (m.channel == .letter ? "Posted" : "Sent", "tag-green")
            case .failed: ("Not delivered", "tag-red")
            }
            return [.init(text: m.kind.displayName), .init(text: m.channel == .email ? "Email" : "Letter",
                                                           href: m.channel == .letter ? "/staff/letters/\(m.id?.text ?? "")" : nil),
                    .init(text: m.kind.isForReporter ? "Reporter" : (m.recipientName ?? "Staff")),
                    .init(text: state.0, tag: state.1), .init(text: CaseClock.describe(m.sentAt ?? m.createdAt))]
        }
        sections.append(PageSection(id: "messages", title: "Messages",
                                    tables: messageRows.isEmpty ? nil : [Table(caption: "Messages", headers: ["Message", "By", "To", "State", "When"], rows: messageRows)],
                                    empty: messageRows.isEmpty ? "No messages. Reporters who are anonymous, or asked to be phoned, get none." : nil))

        // Timeline
        sections.append(PageSection(id: "timeline", title: "Timeline", tables: [Table(
            caption: "Timeline", headers: ["When", "What", "Who"],
            rows: data.timeline.map { [.init(text: CaseClock.describe($0.at)), .init(text: $0.summary), .init(text: $0.actor?.displayName ?? "System")] })]))
        // A table named like its section needs no visible caption of its own.
        for index in sections.indices {
            sections[index].tables = sections[index].tables?.map { table in
                var table = table
                table.captionHidden = table.caption == sections[index].title
                return table
            }
        }
        return sections
    }

    static func referralSection(_ data: CaseData, forms: [CaseForm: FormModel]) -> PageSection {
        let rows: [[Table.Cell]] = data.referrals.map { r in
            [.init(text: r.agency.name), .init(text: CaseClock.describe(r.sentAt)), .init(text: r.status.words), .init(text: r.reason)]
        }
        let lead = data.detail.leadAgencyHistory.first.map { "\($0.agency?.name ?? "The landlord"): \($0.reason)" }
        return PageSection(id: "partners", title: "Partner agencies",
                           items: lead.map { [SummaryItem(key: "Lead agency decision", value: $0)] },
                           tables: rows.isEmpty ? nil : [Table(caption: "Referrals", headers: ["Agency", "Sent", "Status", "Reason"], rows: rows)],
                           empty: rows.isEmpty ? "No referrals to partner agencies yet (SS-PRG-2)." : nil,
                           forms: [forms[.referral], forms[.leadAgency], forms[.referralUpdate]].compactMap { $0 }.nilIfEmpty)
    }
}

extension String {
    var nonEmpty: String? { isEmpty ? nil : self }
}
