import ASBCore
import Foundation
import Vapor

/// Your account: two-step sign-in with an authenticator app, set up, confirmed and turned off here.
extension StaffSite {
    func bootAccount(_ routes: any RoutesBuilder) {
        routes.get(use: account)
        routes.post("two-factor", "start", use: startTwoFactor)
        routes.post("two-factor", "confirm", use: confirmTwoFactor)
        routes.post("two-factor", "disable", use: disableTwoFactor)
    }

    struct AccountPage: PageModel {
        var chrome: PageChrome
        var status: String
        var secret: String?
        var uri: String?
        var recoveryCodes: [String]?
        var forms: [FormModel]
    }

    private func accountPage(_ req: Request, user: User, setup: TwoFactorService.Setup? = nil, recoveryCodes: [String]? = nil,
                             errors: [FieldError] = [], status: HTTPStatus = .ok) async throws -> Response {
        let codeField = FormField(kind: .text, name: "code", label: "Code from your app", hint: "6 digits, or a recovery code to turn it off.",
                                  autocomplete: "one-time-code", width: "medium")
        var forms: [FormModel] = []
        let text: String
        if user.totpEnabledAt != nil {
            text = "Two-step sign-in is on: after your password you give the code your authenticator app shows."
            forms.append(FormModel(id: "disable-two-factor", title: "Turn two-step sign-in off", action: "/staff/account/two-factor/disable",
                                   submitLabel: "Turn off", fields: [codeField], isWarning: true))
        } else if user.totpSecret != nil {
            text = "Two-step sign-in is not on yet: add the key to your app, then enter the code it shows."
            forms.append(FormModel(id: "confirm-two-factor", title: "Turn it on", action: "/staff/account/two-factor/confirm",
                                   submitLabel: "Turn on", fields: [codeField]))
        } else {
            text = "Two-step sign-in is off. With it on, signing in needs your password and a code from an authenticator app on your phone."
            forms.append(FormModel(id: "start-two-factor", title: "Set up two-step sign-in", action: "/staff/account/two-factor/start",
                                   submitLabel: "Set up", fields: []))
        }
        var links: [ErrorLink] = []
        for index in forms.indices { links += forms[index].apply(errors) }
        return try await req.page("staff/account", AccountPage(
            chrome: WebChrome.make(req, title: "Two-step sign-in", errors: links), status: text, secret: setup?.secret, uri: setup?.uri,
            recoveryCodes: recoveryCodes?.nilIfEmpty, forms: forms), status: status)
    }

    @Sendable func account(_ req: Request) async throws -> Response {
        try await accountPage(req, user: try req.requireStaffPage())
    }

    @Sendable func startTwoFactor(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage()
        try CSRF.verify(try req.formData(), for: req)
        let setup = try await TwoFactorService(app: req.application, db: req.db, requestID: req.id).begin(for: user)
        return try await accountPage(req, user: user, setup: setup)
    }

    @Sendable func confirmTwoFactor(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage()
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        do {
            let codes = try await TwoFactorService(app: req.application, db: req.db, requestID: req.id).confirm(for: user, code: form["code"] ?? "")
            return try await accountPage(req, user: user, recoveryCodes: codes)
        } catch let failure as ValidationFailure {
            return try await accountPage(req, user: user, errors: failure.errors, status: .unprocessableEntity)
        }
    }

    @Sendable func disableTwoFactor(_ req: Request) async throws -> Response {
        let user = try req.requireStaffPage()
        let form = try req.formData()
        try CSRF.verify(form, for: req)
        do {
            try await TwoFactorService(app: req.application, db: req.db, requestID: req.id).disable(for: user, code: form["code"], by: .staff(user))
            return req.seeOther("/staff/account", notice: "Two-step sign-in is off.")
        } catch let failure as ValidationFailure {
            return try await accountPage(req, user: user, errors: failure.errors, status: .unprocessableEntity)
        }
    }
}
