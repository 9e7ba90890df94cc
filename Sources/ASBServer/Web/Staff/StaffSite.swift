import ASBCore
import Fluent
import Foundation
import Vapor

/// The staff workspace: sign in with a session cookie, then the work queues, case pages with
/// every casework form, search and the admin pages. Each route lives in a `StaffSite+*.swift`
/// extension and calls the same services as the API.
struct StaffSite: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("sign-in", use: signInForm)
        routes.post("sign-in", use: signIn)
        routes.post("sign-out", use: signOut)
        routes.get(use: home)
        routes.get("queues", ":queue", use: queue)
        routes.get("dashboard", use: dashboard)
        routes.get("search", use: search)
        routes.get("letters", use: letters)
        routes.get("letters", ":id", use: letter)
        routes.post("letters", ":id", "sent", use: letterPosted)
        routes.get("notices", use: noticeList)
        routes.post("notices", ":id", "publish", use: publishNotice)
        routes.get("reports", "new", use: newReportForm)
        routes.post("reports", "new", use: recordReport)
        bootCase(routes.grouped("cases", ":reference"))
        bootAdmin(routes.grouped("admin"))
        bootFeedback(routes.grouped("feedback"))
        bootInternalReviews(routes.grouped("internal-reviews"))
        bootDissatisfaction(routes.grouped("dissatisfaction"))
        bootAccount(routes.grouped("account"))
    }

    // MARK: Sign in and out

    struct SignInPage: PageModel {
        var chrome: PageChrome
        var form: FormModel
    }

    static func signInForm(next: String, username: String = "") -> FormModel {
        FormModel(id: "sign-in", title: "Sign in", action: "/staff/sign-in", submitLabel: "Sign in", fields: [
            FormField(kind: .text, name: "username", label: "Username", value: username, autocomplete: "username", width: "medium"),
            FormField(kind: .password, name: "password", label: "Password", autocomplete: "current-password", width: "medium"),
            FormField(kind: .text, name: "code", label: "Code from your authenticator app (if you use two-step sign-in)",
                      hint: "6 digits, or one of your recovery codes.", autocomplete: "one-time-code", width: "medium"),
        ], hidden: [.init(name: "next", value: next)])
    }

    /// Only a path on this site, never another site (no open redirect).
    static func safeNext(_ raw: String?) -> String {
        guard let raw, raw.hasPrefix("/staff"), !raw.hasPrefix("//"), !raw.contains("\\"), !raw.hasPrefix("/staff/sign-") else {
            return "/staff"
        }
        return raw
    }

    @Sendable func signInForm(_ req: Request) async throws -> Response {
        if req.auth.has(User.self) { return req.redirect(to: "/staff") }
        let next = Self.safeNext(req.query[String.self, at: "next"])
        return try await req.page("staff/sign-in", SignInPage(chrome: WebChrome.make(req, title: "Sign in"),
                                                              form: Self.signInForm(next: next)))
    }

    @Sendable func signIn(_ req: Request) async throws -> Response {
        let form = try req.formData()
        // Sign-in has no session yet, so no CSRF token: SameSite=Lax and the Origin check stop
        // a cross-site page signing a browser in as someone else.
        try Self.checkSameOrigin(req)
        let next = Self.safeNext(form["next"])
        do {
            let issued = try await AuthService(app: req.application, db: req.db, requestID: req.id)
                .login(username: form["username"] ?? "", password: form.raw("password"), code: form["code"])
            let response = req.seeOther(next)
            response.cookies[WebCookies.staff] = WebCookies.make(issued.token, for: req)
            return response
        } catch let failure as ValidationFailure {
            return try await signInFailed(req, next: next, username: form["username"] ?? "", errors: failure.errors, status: .unprocessableEntity)
        } catch AppError.unauthenticated(let message) {
            return try await signInFailed(req, next: next, username: form["username"] ?? "",
                                          errors: [FieldError("username", message)], status: .unauthorized)
        }
    }

    private func signInFailed(_ req: Request, next: String, username: String, errors: [FieldError], status: HTTPStatus) async throws -> Response {
        var model = Self.signInForm(next: next, username: username)
        let links = model.apply(errors)
        return try await req.page("staff/sign-in", SignInPage(chrome: WebChrome.make(req, title: "Sign in", errors: links), form: model),
                                  status: status)
    }

    /// A browser always sends `Origin` on a cross-site POST; refuse one from elsewhere.
    static func checkSameOrigin(_ req: Request) throws {
        guard let origin = req.headers.first(name: .origin), origin != "null" else { return }
        let host = req.headers.first(name: .host) ?? ""
        guard let url = URL(string: origin), let originHost = url.host else { throw WebError.formExpired }
        let originHostPort = url.port.map { "\(originHost):\($0)" } ?? originHost
        guard originHostPort == host || originHost == host else { throw WebError.formExpired }
    }

    @Sendable func signOut(_ req: Request) async throws -> Response {
        let form = try req.formData()
        if let user = req.auth.get(User.self), let token = req.auth.get(APIToken.self) {
            try CSRF.verify(form, for: req)
            try await AuthService(app: req.application, db: req.db, requestID: req.id).logout(token, user: user)
        }
        let response = req.seeOther("/staff/sign-in", notice: "You have signed out.")
        response.cookies[WebCookies.staff] = WebCookies.expired(for: req)
        return response
    }
}
