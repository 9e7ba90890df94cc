import ASBCore
import Crypto
import Foundation
import Leaf
import Vapor

/// What every page shows around its content: the title, who is signed in, the navigation,
/// the CSRF token its forms carry, a success banner and the error summary.
struct PageChrome: Encodable, Sendable {
    struct NavLink: Encodable, Sendable {
        var href: String
        var label: String
        var current: Bool
    }

    struct SignedIn: Encodable, Sendable {
        var name: String
        var role: String
        var isAdmin: Bool
        var mayRecordReports: Bool
        var worksCases: Bool
    }

    var title: String
    /// `public` or `staff`: which site's header and navigation to show.
    var site: String
    var user: SignedIn?
    var nav: [NavLink] = []
    var csrf: String
    var notice: String? = nil
    var errors: [ErrorLink] = []
    /// Staff pages are never indexed; the public site may be.
    var noIndex: Bool { site == "staff" }

    enum CodingKeys: String, CodingKey { case title, site, user, nav, csrf, notice, errors, noIndex, hasErrors, hasNav }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        // "Error: " first in the title when a form is re-shown (GOV.UK pattern; screen readers hear it first).
        try c.encode(errors.isEmpty ? title : "Error: " + title, forKey: .title)
        try c.encode(site, forKey: .site)
        try c.encodeIfPresent(user, forKey: .user)
        try c.encode(nav, forKey: .nav)
        try c.encode(csrf, forKey: .csrf)
        try c.encodeIfPresent(notice, forKey: .notice)
        try c.encode(errors, forKey: .errors)
        try c.encode(noIndex, forKey: .noIndex)
        try c.encode(!errors.isEmpty, forKey: .hasErrors)
        try c.encode(!nav.isEmpty, forKey: .hasNav)
    }
}

/// What the page being rendered by `Request.page` gives the parts written in Swift.
enum PageRendering {
    /// The page's CSRF token, which each of its forms posts (`FormModel.html(csrf:)`).
    @TaskLocal static var csrf: String?
}

/// Every page model carries the chrome; its template extends `layout.leaf`.
protocol PageModel: Encodable, Sendable {
    var chrome: PageChrome { get set }
}

extension Request {
    /// Renders a page: HTML, never cached (pages carry personal data and CSRF tokens).
    func page(_ template: String, _ model: some PageModel, status: HTTPStatus = .ok) async throws -> Response {
        // Leaf encodes the model here, in this task: every form on the page posts this token.
        let view = try await PageRendering.$csrf.withValue(model.chrome.csrf) {
            try await self.view.render(template, model)
        }
        let response = try await view.encodeResponse(status: status, for: self)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return response
    }

    /// A redirect after a successful POST (303, so a refresh never resubmits), optionally with a
    /// one-time success message shown on the next page.
    func seeOther(_ location: String, notice: String? = nil) -> Response {
        let response = redirect(to: location, redirectType: .normal)
        if let notice {
            response.cookies[WebCookies.notice] = WebCookies.make(notice, for: self, maxAge: 60)
        }
        return response
    }

    /// The one-time success message set by the last redirect, if any; `WebCookieMiddleware`
    /// clears it once a page has shown it.
    var notice: String? {
        cookies[WebCookies.notice]?.string
    }

    /// True when the client reached us over TLS, directly or through a proxy that says so.
    var isOverTLS: Bool {
        url.scheme == "https" || headers.first(name: "X-Forwarded-Proto")?.lowercased() == "https"
    }

    /// Pages (not the API, the health check or static files) get HTML errors.
    var isWebPage: Bool {
        let path = url.path
        return !path.hasPrefix("/api/") && path != "/health" && !path.hasPrefix("/assets/")
    }
}

/// Cookie names and their settings: HttpOnly, SameSite=Lax, Secure when served over TLS.
enum WebCookies {
    static let staff = "asb_staff"
    static let publicSession = "asb_public"
    static let notice = "asb_notice"

    static func make(_ value: String, for request: Request, maxAge: Int? = nil) -> HTTPCookies.Value {
        HTTPCookies.Value(string: value, maxAge: maxAge, path: "/", isSecure: request.isOverTLS, isHTTPOnly: true,
                          sameSite: .lax)
    }

    static func expired(for request: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                          isSecure: request.isOverTLS, isHTTPOnly: true, sameSite: .lax)
    }
}

/// Clears the one-time notice after a page has shown it, and marks every cookie Secure over TLS
/// (Vapor's session cookie is made without the request).
struct WebCookieMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let response = try await next.respond(to: request)
        if request.cookies[WebCookies.notice] != nil, response.cookies[WebCookies.notice] == nil,
           response.headers.contentType?.subType == "html" {
            response.cookies[WebCookies.notice] = WebCookies.expired(for: request)
        }
        if request.isOverTLS {
            for name in response.cookies.all.keys { response.cookies[name]?.isSecure = true }
        }
        return response
    }
}

// MARK: CSRF

/// Every form carries a token that a cross-site page cannot know. Staff forms: an HMAC of the
/// staff session token (so it changes with every sign-in). Public forms: a random value kept in
/// the public session.
enum CSRF {
    static let fieldName = "_csrf"
    private static let sessionKey = "csrf"

    static func token(for request: Request) -> String {
        if let staff = request.cookies[WebCookies.staff]?.string, request.auth.has(User.self) {
            return staffToken(sessionToken: staff)
        }
        // Every public route runs behind the sessions middleware (`registerWebRoutes`); staff
        // pages have none, and a staff page without a signed-in user (sign-in) has no token.
        guard !request.url.path.hasPrefix("/staff") else { return "" }
        if let existing = request.session.data[sessionKey] { return existing }
        let fresh = request.application.asb.random.token()
        request.session.data[sessionKey] = fresh
        return fresh
    }

    static func staffToken(sessionToken: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("asb-csrf".utf8), using: SymmetricKey(data: Data(sessionToken.utf8)))
        return Base64URL.encode(Data(mac))
    }

    /// Refuses a form whose token is missing or wrong: 403 with a page that says what to do.
    static func verify(_ form: FormData, for request: Request) throws {
        let expected = token(for: request)
        guard !expected.isEmpty, let given = form[fieldName],
              TrackingService.constantTimeEqual(given, expected) else {
            throw WebError.formExpired
        }
    }
}

/// Errors only pages raise.
enum WebError: Error {
    /// The CSRF token did not match: the form is old or came from another site.
    case formExpired
    /// A page needs a signed-in staff user.
    case signInNeeded
}

// MARK: Staff sign-in by cookie

/// Signs in the staff user whose session token is in the `asb_staff` cookie, with the same
/// checks as a bearer token: known, not revoked, not expired, user active.
struct StaffCookieAuthenticator: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Pages only: the API takes bearer tokens, so a cookie can never carry a cross-site call to it.
        if !request.auth.has(User.self), request.url.path.hasPrefix("/staff"),
           let token = request.cookies[WebCookies.staff]?.string, !token.isEmpty {
            try await TokenAuthenticator.logIn(token: token, for: request)
        }
        return try await next.respond(to: request)
    }
}

extension Request {
    /// The signed-in staff user of a page, or a redirect to the sign-in page.
    func requireStaffPage() throws -> User {
        guard let user = auth.get(User.self) else { throw WebError.signInNeeded }
        return user
    }

    func requireStaffPage(_ permission: Permission) throws -> User {
        let user = try requireStaffPage()
        guard user.role.may(permission) else { throw AppError.forbidden() }
        return user
    }
}

// MARK: Error pages

/// The HTML face of `ProblemMiddleware`: the same problem, as a page.
struct ErrorPage: PageModel {
    var chrome: PageChrome
    var status: Int
    var heading: String
    var detail: String?
    var signInLink: Bool

    static func response(for problem: Problem, headers: HTTPHeaders, request: Request) async -> Response {
        let site = request.url.path.hasPrefix("/staff") ? "staff" : "public"
        let heading: String = switch problem.status {
        case 404: "Page not found"
        case 403: problem.code == "formExpired" ? "This form has expired" : "You cannot see this page"
        case 429: "Too many attempts"
        case 500...: "Sorry, there is a problem with the service"
        default: problem.title
        }
        let page = ErrorPage(
            chrome: PageChrome(title: heading, site: site, user: WebChrome.signedIn(request), nav: WebChrome.nav(for: request),
                               csrf: ""),
            status: problem.status, heading: heading, detail: problem.detail, signInLink: problem.status == 401)
        do {
            let response = try await request.page("error", page, status: .init(statusCode: problem.status))
            for (name, value) in headers where name.lowercased() != "content-type" { response.headers.replaceOrAdd(name: name, value: value) }
            return response
        } catch {
            request.logger.report(error: error)
            var fallback = headers
            fallback.contentType = .plainText
            return Response(status: .init(statusCode: problem.status), headers: fallback,
                            body: .init(string: "\(problem.title)\n\(problem.detail ?? "")\n"))
        }
    }
}

extension Array {
    /// Nil for an empty list. Leaf's `#if` treats any list, even an empty one, as true, so page
    /// models give optional lists.
    var nilIfEmpty: [Element]? { isEmpty ? nil : self }
}
