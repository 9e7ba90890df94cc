import ASBCore
import Vapor

extension APIHandler {
    func createSession(_ input: Operations.CreateSession.Input) async throws -> Operations.CreateSession.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let issued = try await ctx.auth.login(username: body.username, password: body.password, code: body.code)
        return .created(.init(body: .json(.init(token: issued.token, expiresAt: issued.expiresAt, user: try .init(issued.user)))))
    }

    func deleteCurrentSession(_ input: Operations.DeleteCurrentSession.Input) async throws -> Operations.DeleteCurrentSession.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard let token = ctx.request.auth.get(APIToken.self) else { throw AppError.unauthenticated() }
        try await ctx.auth.logout(token, user: user)
        return .noContent(.init())
    }

    func startTwoFactor(_ input: Operations.StartTwoFactor.Input) async throws -> Operations.StartTwoFactor.Output {
        let ctx = try context()
        let setup = try await TwoFactorService(app: ctx.app, db: ctx.db, requestID: ctx.requestID).begin(for: try ctx.staff())
        return .created(.init(body: .json(.init(secret: setup.secret, uri: setup.uri))))
    }

    func confirmTwoFactor(_ input: Operations.ConfirmTwoFactor.Input) async throws -> Operations.ConfirmTwoFactor.Output {
        let ctx = try context()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        let codes = try await TwoFactorService(app: ctx.app, db: ctx.db, requestID: ctx.requestID).confirm(for: try ctx.staff(), code: body.code)
        return .ok(.init(body: .json(.init(recoveryCodes: codes))))
    }

    func disableTwoFactor(_ input: Operations.DisableTwoFactor.Input) async throws -> Operations.DisableTwoFactor.Output {
        let ctx = try context()
        let user = try ctx.staff()
        guard case .json(let body) = input.body else { throw AppError.badRequest("Send JSON.") }
        try await TwoFactorService(app: ctx.app, db: ctx.db, requestID: ctx.requestID).disable(for: user, code: body.code, by: .staff(user))
        return .noContent(.init())
    }

    func getCurrentUser(_ input: Operations.GetCurrentUser.Input) async throws -> Operations.GetCurrentUser.Output {
        let user = try context().staff()
        return .ok(.init(body: .json(try .init(user))))
    }
}
