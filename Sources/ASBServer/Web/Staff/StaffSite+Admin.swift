import ASBCore
import Fluent
import Foundation
import Vapor

/// The admin pages: users, partner agencies, neighbourhoods, calendar closure days, Open311 keys
/// and the homes count of each year. Each is a
/// table of what exists and a form to add; the services check the admin role again.
extension StaffSite {
    func bootAdmin(_ routes: any RoutesBuilder) {
        routes.get("users", use: users)
        routes.post("users", use: createUser)
        routes.post("users", ":id", "active", use: toggleUser)
        routes.get("agencies", use: agencies)
        routes.post("agencies", use: createAgency)
        routes.get("neighbourhoods", use: neighbourhoods)
        routes.post("neighbourhoods", use: createNeighbourhood)
        routes.get("calendar", use: calendar)
        routes.post("calendar", use: addClosureDay)
        routes.post("calendar", ":id", "delete", use: deleteClosureDay)
        routes.get("open311", use: open311Clients)
        routes.post("open311", use: issueOpen311Key)
        routes.post("open311", ":name", "revoke", use: revokeOpen311Key)
        routes.get("homes", use: homes)
        routes.post("homes", use: setHomes)
    }

    struct AdminPage: PageModel {
        var chrome: PageChrome
        var heading: String
        var intro: String?
        var tables: [Table]?
        var empty: String?
        var nextHref: String?
        var form: FormModel
    }

    /// Runs a form's service call; on field errors re-shows the page with them.
    private func handle(_ req: Request, redirect: String, page: @escaping @Sendable ([FieldError], FormData) async throws -> Response,
                        _ body: (FormData, User) async throws -> String) async throws -> Response {
        let admin = try req.requireStaffPage(.manageUsers)
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        do {
            let notice = try await body(form, admin)
            return req.seeOther(redirect, notice: notice)
        } catch let failure as ValidationFailure {
            return try await page(failure.errors, form)
        } catch AppError.duplicate(let message) {
            return try await page([FieldError("name", message)], form)
        }
    }

    private func render(_ req: Request, _ title: String, intro: String?, tables: [Table], empty: String, next: String? = nil,
                        form: FormModel, errors: [FieldError], submitted: FormData?, notice: String? = nil) async throws -> Response {
        var form = form
        if let submitted { form.fill(from: submitted) }
        let links = form.apply(errors)
        var chrome = WebChrome.make(req, title: title, errors: links)
        if let notice { chrome.notice = notice }
        return try await req.page("staff/admin", AdminPage(
            chrome: chrome, heading: title, intro: intro,
            tables: tables.filter { !$0.rows.isEmpty }.nilIfEmpty, empty: tables.allSatisfy { $0.rows.isEmpty } ? empty : nil,
            nextHref: next, form: form), status: errors.isEmpty ? .ok : .unprocessableEntity)
    }

    // MARK: Users

    private func usersPage(_ req: Request, errors: [FieldError] = [], submitted: FormData? = nil) async throws -> Response {
        _ = try req.requireStaffPage(.manageUsers)
        let page = try await UserService(app: req.application, db: req.db, requestID: req.id)
            .list(role: nil, active: nil, cursor: req.query[String.self, at: "cursor"], limit: 50)
        let agencies = try await ReferralService(app: req.application, db: req.db, requestID: req.id).agencies().filter(\.active)
        let rows: [[Table.Cell]] = page.items.map { u in
            [.init(text: u.username), .init(text: u.displayName), .init(text: u.role.displayName + (u.partnerAgency.map { ", \($0.name)" } ?? "")),
             .init(text: u.active ? "Active" : "Deactivated", tag: u.active ? "tag-green" : "tag-grey"),
             .init(text: "", button: .init(action: "/staff/admin/users/\(u.id?.text ?? "")/active",
                                           label: u.active ? "Deactivate" : "Reactivate", context: u.username, csrf: CSRF.token(for: req)))]
        }
        let form = FormModel(id: "new-user", title: "Add a user", action: "/staff/admin/users", submitLabel: "Add user", fields: [
            FormField(kind: .text, name: "username", label: "Username", autocomplete: "off", width: "medium"),
            FormField(kind: .text, name: "displayName", label: "Full name"),
            FormField(kind: .email, name: "email", label: "Email (optional)"),
            FormField.choices(.radios, name: "role", label: "Role", of: Role.self, selected: [], label: \.displayName),
            FormField(kind: .select, name: "partnerAgencyId", label: "Partner agency (partner users only)",
                  options: Self.options(agencies.map { ($0.id?.text ?? "", $0.name) }, blank: "None")),
            FormField(kind: .password, name: "password", label: "First password",
                  hint: "At least \(PasswordPolicy.minimumLength) characters. Give it to the user privately.", autocomplete: "new-password", width: "medium"),
        ])
        let next = page.nextCursor.map { "/staff/admin/users?cursor=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
        return try await render(req, "Users", intro: "Staff accounts and their roles. Deactivating an account signs it out everywhere.",
                                tables: [Table(caption: "Users", headers: ["Username", "Name", "Role", "Status", "Action"], rows: rows)],
                                empty: "No users.", next: next, form: form, errors: errors, submitted: submitted)
    }

    @Sendable func users(_ req: Request) async throws -> Response { try await usersPage(req) }

    @Sendable func createUser(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/users", page: { try await self.usersPage(req, errors: $0, submitted: $1) }) { form, admin in
            var errors: [FieldError] = []
            let role = form.choice("role", Role.self, errors: &errors, message: "Choose a role.")
            let agency = form.uuid("partnerAgencyId", errors: &errors, message: "Choose an agency.")
            guard errors.isEmpty, let role else { throw ValidationFailure(errors) }
            let user = try await UserService(app: req.application, db: req.db, requestID: req.id).create(.init(
                username: form["username"] ?? "", displayName: form["displayName"] ?? "", email: form["email"], role: role,
                partnerAgencyID: agency, password: form.raw("password")), by: .staff(admin))
            return "\(user.username) can now sign in."
        }
    }

    @Sendable func toggleUser(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/users", page: { errors, _ in try await self.usersPage(req, errors: errors) }) { _, admin in
            guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)),
                  let target = try await User.find(id, on: req.db) else { throw AppError.notFound("No such user.") }
            let user = try await UserService(app: req.application, db: req.db, requestID: req.id)
                .update(id, .init(active: !target.active), by: .staff(admin))
            return user.active ? "\(user.username) is active again." : "\(user.username) is deactivated."
        }
    }

    // MARK: Partner agencies

    private func agenciesPage(_ req: Request, errors: [FieldError] = [], submitted: FormData? = nil) async throws -> Response {
        _ = try req.requireStaffPage(.manageUsers)
        let all = try await ReferralService(app: req.application, db: req.db, requestID: req.id).agencies()
        let form = FormModel(id: "new-agency", title: "Add a partner agency", action: "/staff/admin/agencies", submitLabel: "Add agency", fields: [
            FormField(kind: .text, name: "name", label: "Name"),
            FormField(kind: .select, name: "kind", label: "Kind", options: Self.options(PartnerAgency.Kind.allCases.map { ($0.rawValue, $0.words) })),
            FormField(kind: .email, name: "email", label: "Email (optional)"),
            FormField(kind: .tel, name: "phone", label: "Phone (optional)", width: "medium"),
        ])
        return try await render(req, "Partner agencies", intro: "The agencies cases are referred to (SS-PRG-2, SS-PRG-3).",
                                tables: [Table(caption: "Partner agencies", headers: ["Name", "Kind", "Contact", "Status"], rows: all.map { a in
                                    [.init(text: a.name), .init(text: a.kind.words), .init(text: [a.email, a.phone].compactMap { $0 }.joined(separator: ", ").nonEmpty ?? "–"),
                                     .init(text: a.active ? "Active" : "Inactive", tag: a.active ? "tag-green" : "tag-grey")]
                                })], empty: "No partner agencies yet.", form: form, errors: errors, submitted: submitted)
    }

    @Sendable func agencies(_ req: Request) async throws -> Response { try await agenciesPage(req) }

    @Sendable func createAgency(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/agencies", page: { try await self.agenciesPage(req, errors: $0, submitted: $1) }) { form, admin in
            var errors: [FieldError] = []
            let kind = form.choice("kind", PartnerAgency.Kind.self, errors: &errors, message: "Choose the kind of agency.")
            guard errors.isEmpty, let kind else { throw ValidationFailure(errors) }
            let agency = try await ReferralService(app: req.application, db: req.db, requestID: req.id).createAgency(
                name: form["name"] ?? "", kind: kind, email: form["email"], phone: form["phone"], by: .staff(admin))
            return "\(agency.name) is added."
        }
    }

    // MARK: Neighbourhoods

    private func neighbourhoodsPage(_ req: Request, errors: [FieldError] = [], submitted: FormData? = nil) async throws -> Response {
        _ = try req.requireStaffPage(.manageUsers)
        let all = try await ReferenceDataService(app: req.application, db: req.db, requestID: req.id).neighbourhoods()
        let form = FormModel(id: "new-neighbourhood", title: "Add a neighbourhood", action: "/staff/admin/neighbourhoods",
                             submitLabel: "Add neighbourhood", fields: [
            FormField(kind: .text, name: "name", label: "Name"),
            FormField(kind: .text, name: "postcodeSectors", label: "Postcode sectors", hint: "Separate with commas, for example SS1 1, SS1 2."),
        ])
        return try await render(req, "Neighbourhoods", intro: "Cases are placed in a neighbourhood by the postcode sector of where it happened.",
                                tables: [Table(caption: "Neighbourhoods", headers: ["Name", "Postcode sectors"], rows: all.map {
                                    [.init(text: $0.name), .init(text: $0.postcodeSectors.joined(separator: ", "))]
                                })], empty: "No neighbourhoods yet.", form: form, errors: errors, submitted: submitted)
    }

    @Sendable func neighbourhoods(_ req: Request) async throws -> Response { try await neighbourhoodsPage(req) }

    @Sendable func createNeighbourhood(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/neighbourhoods", page: { try await self.neighbourhoodsPage(req, errors: $0, submitted: $1) }) { form, admin in
            let n = try await ReferenceDataService(app: req.application, db: req.db, requestID: req.id).createNeighbourhood(
                name: form["name"] ?? "", sectors: Self.names(form["postcodeSectors"]), by: .staff(admin))
            return "\(n.name) is added."
        }
    }

    // MARK: Homes (NM01)

    private func homesPage(_ req: Request, errors: [FieldError] = [], submitted: FormData? = nil) async throws -> Response {
        _ = try req.requireStaffPage(.manageUsers)
        let all = try await HomesService(app: req.application, db: req.db, requestID: req.id).all()
        let thisYear = ReportingPeriod.financialYear(containing: LondonTime.localDateTime(for: req.application.asb.clock.now()).date)
        var form = FormModel(id: "set-homes", title: "Set the homes count", action: "/staff/admin/homes", submitLabel: "Save homes count", fields: [
            FormField(kind: .text, name: "year", label: "Reporting year", hint: "The financial year, for example \(thisYear.label)."),
            FormField(kind: .number, name: "homes", label: "Homes owned", hint: "Homes owned in that year, as reported to the Regulator."),
        ])
        if submitted == nil { form.fill(from: FormData(["year": [thisYear.label]])) }
        return try await render(req, "Homes owned", intro: "NM01 counts ASB cases per 1,000 homes owned in the reporting year. Setting a year again replaces its count.",
                                tables: [Table(caption: "Homes owned by year", headers: ["Year", "Homes"], rows: all.map {
                                    [.init(text: $0.year), .init(text: $0.homes.formatted(.number.grouping(.automatic)))]
                                })], empty: "No homes count set yet: NM01 cannot be worked out.", form: form, errors: errors, submitted: submitted)
    }

    @Sendable func homes(_ req: Request) async throws -> Response { try await homesPage(req) }

    @Sendable func setHomes(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/homes", page: { try await self.homesPage(req, errors: $0, submitted: $1) }) { form, admin in
            let raw = (form["homes"] ?? "").replacingOccurrences(of: ",", with: "").trimmingCharacters(in: .whitespaces)
            guard let homes = Int(raw) else { throw ValidationFailure([FieldError("homes", "Enter the number of homes as a whole number, like 12480.")]) }
            let entry = try await HomesService(app: req.application, db: req.db, requestID: req.id)
                .set(year: (form["year"] ?? "").trimmingCharacters(in: .whitespaces), homes: homes, by: .staff(admin))
            return "\(entry.year): \(entry.homes) homes saved."
        }
    }

    // MARK: Calendar

    private func calendarPage(_ req: Request, errors: [FieldError] = [], submitted: FormData? = nil) async throws -> Response {
        _ = try req.requireStaffPage(.manageUsers)
        let service = CalendarService(app: req.application, db: req.db, requestID: req.id)
        let overrides = try await service.overrides()
        let year = LondonTime.localDateTime(for: req.application.asb.clock.now()).date.year
        let holidays = try await service.holidays(year: year)
        let form = FormModel(id: "new-closure-day", title: "Add a day", action: "/staff/admin/calendar", submitLabel: "Add day", fields: [
            FormField(kind: .radios, name: "kind", label: "Kind of day", options: [
                .init(value: "closureDay", label: "Office closure day", hint: "Not a working day: deadlines move past it."),
                .init(value: "extraHoliday", label: "Extra bank holiday"),
                .init(value: "removedHoliday", label: "Bank holiday moved or cancelled"),
            ]),
            FormField(kind: .date, name: "date", label: "Date", width: "medium"),
            FormField(kind: .text, name: "name", label: "Name", hint: "For example, Staff training day."),
        ])
        return try await render(
            req, "Calendar", intro: "Working time excludes weekends, bank holidays and these days. A change applies to deadlines computed from now on.",
            tables: [
                Table(caption: "Closure days and changes", headers: ["Date", "Kind", "Name", "Action"], rows: overrides.map { o in
                    [.init(text: LocalDate(iso: o.date)?.longDescription ?? o.date), .init(text: o.kind.words), .init(text: o.name),
                     .init(text: "", button: .init(action: "/staff/admin/calendar/\(o.id?.text ?? "")/delete", label: "Remove", context: o.name, csrf: CSRF.token(for: req)))]
                }),
                Table(caption: "Bank holidays in \(year)", headers: ["Date", "Name"], rows: holidays.map {
                    [.init(text: $0.date.longDescription), .init(text: $0.name)]
                }),
            ], empty: "", form: form, errors: errors, submitted: submitted)
    }

    @Sendable func calendar(_ req: Request) async throws -> Response { try await calendarPage(req) }

    @Sendable func addClosureDay(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/calendar", page: { try await self.calendarPage(req, errors: $0, submitted: $1) }) { form, admin in
            var errors: [FieldError] = []
            let kind = form.choice("kind", CalendarOverride.Kind.self, errors: &errors, message: "Choose the kind of day.")
            guard errors.isEmpty, let kind else { throw ValidationFailure(errors) }
            let o = try await CalendarService(app: req.application, db: req.db, requestID: req.id).addOverride(
                kind: kind, date: form["date"] ?? "", name: form["name"], region: nil, by: .staff(admin))
            return "\(o.name) on \(o.date) is added."
        }
    }

    @Sendable func deleteClosureDay(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/calendar", page: { errors, _ in try await self.calendarPage(req, errors: errors) }) { _, admin in
            guard let id = req.parameters.get("id").flatMap(UUID.init(uuidString:)) else { throw AppError.notFound("No such day.") }
            try await CalendarService(app: req.application, db: req.db, requestID: req.id).deleteOverride(id, by: .staff(admin))
            return "The day is removed."
        }
    }

    // MARK: Open311 clients

    private func open311Page(_ req: Request, errors: [FieldError] = [], submitted: FormData? = nil, notice: String? = nil) async throws -> Response {
        _ = try req.requireStaffPage(.manageUsers)
        let clients = try await Open311Service(app: req.application, db: req.db, requestID: req.id).clients()
        let form = FormModel(id: "new-open311-client", title: "Issue an API key", action: "/staff/admin/open311", submitLabel: "Issue key", fields: [
            FormField(kind: .text, name: "name", label: "Client name", hint: "For example, FixMyStreet."),
        ])
        return try await render(
            req, "Open311 clients",
            intro: "Civic reporting sites send reports to /open311/v2/ with an API key. A client reads back only its own requests, and only their status.",
            tables: [Table(caption: "Open311 clients", headers: ["Name", "Issued", "Status", "Action"], rows: clients.map { c in
                [.init(text: c.name), .init(text: CaseClock.describe(c.createdAt)),
                 .init(text: c.active ? "Active" : "Revoked", tag: c.active ? "tag-green" : "tag-grey"),
                 c.active ? .init(text: "", button: .init(action: "/staff/admin/open311/\(c.name.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")/revoke",
                                                         label: "Revoke", context: c.name, csrf: CSRF.token(for: req))) : .init(text: "–")]
            })], empty: "No clients yet.", form: form, errors: errors, submitted: submitted, notice: notice)
    }

    @Sendable func open311Clients(_ req: Request) async throws -> Response { try await open311Page(req) }

    /// The key is shown on the page that answers the form, once; it is never stored or sent again.
    @Sendable func issueOpen311Key(_ req: Request) async throws -> Response {
        let admin = try req.requireStaffPage(.manageUsers)
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        do {
            let issued = try await Open311Service(app: req.application, db: req.db, requestID: req.id)
                .issueKey(name: form["name"] ?? "", by: .staff(admin))
            return try await open311Page(req, notice: "\(issued.client.name)'s API key is \(issued.key). Copy it now: it is shown only this once.")
        } catch let failure as ValidationFailure {
            return try await open311Page(req, errors: failure.errors, submitted: form)
        } catch AppError.duplicate(let message) {
            return try await open311Page(req, errors: [FieldError("name", message)], submitted: form)
        }
    }

    @Sendable func revokeOpen311Key(_ req: Request) async throws -> Response {
        try await handle(req, redirect: "/staff/admin/open311", page: { errors, _ in try await self.open311Page(req, errors: errors) }) { _, admin in
            let client = try await Open311Service(app: req.application, db: req.db, requestID: req.id)
                .setActive(false, name: req.parameters.get("name") ?? "", by: .staff(admin))
            return "\(client.name)'s key no longer works."
        }
    }
}
